package dev.kindling.local;

import com.google.inject.Module;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import dev.kindling.core.spi.PlatformProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Plugs the local platform in ({@code platform: local}). */
public final class LocalPlatformProvider implements PlatformProvider {
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i)(secret|password|token|credential|\\.key$|account\\.key)");

  @Override
  public String id() {
    return LocalPlatformService.ID;
  }

  @Override
  public Set<String> settingKeys() {
    return Set.of(
        "workspace_dir", "python", "master", "spark_classpath", "spark_home", "spark_conf");
  }

  @Override
  public void validateTarget(TargetConfig target, Problems problems) {
    LocalSettings s = LocalSettings.from(target);
    String where = "kindling.yaml: targets." + target.name() + ".python";
    if (!isRunnable(s.python())) {
      problems.add(
          where,
          "'" + s.python() + "' is not an executable Python on this machine",
          "install Python 3 (e.g. apt-get install python3) or set `python:` to its path");
    }
    if (!s.localMaster()
        && !s.master().startsWith("spark://")
        && !s.master().startsWith("k8s://")
        && !s.master().equals("yarn")) {
      problems.add(
          "kindling.yaml: targets." + target.name() + ".master",
          "'" + s.master() + "' is not a Spark master Kindling knows",
          "use local[*] (the default), local[N], spark://HOST:PORT, k8s://URL or yarn");
    }
    validateSparkConf(target, problems);
    if (Files.exists(s.workspaceDir()) && !Files.isDirectory(s.workspaceDir())) {
      problems.add(
          "kindling.yaml: targets." + target.name() + ".workspace_dir",
          s.workspaceDir() + " exists and is not a directory",
          "point workspace_dir at a directory");
    }
  }

  @Override
  public JobConfigValidator jobConfigValidator() {
    return new LocalJobRules();
  }

  @Override
  public Module module(TargetConfig target) {
    return new LocalModule(LocalSettings.from(target));
  }

  /**
   * {@code spark_conf:} is a mapping of {@code spark.*} properties without secrets (they end up on
   * the run's command line, which other users of the machine can read).
   */
  private static void validateSparkConf(TargetConfig target, Problems problems) {
    Object conf = target.settings().get("spark_conf");
    String where = "kindling.yaml: targets." + target.name() + ".spark_conf";
    if (conf == null) {
      return;
    }
    if (!(conf instanceof Map<?, ?> m)) {
      problems.add(
          where,
          "is not a mapping",
          "write Spark properties one a line under spark_conf:, e.g. `spark.executor.memory: 2g`");
      return;
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (!key.startsWith("spark.")) {
        problems.add(
            where + "." + key,
            "'" + key + "' is not a Spark property (Spark ignores names without `spark.`)",
            "use a Spark property name such as spark.executor.memory");
      } else if (SECRET_NAME.matcher(key).find()) {
        problems.add(
            where + "." + key,
            "looks like a secret; spark_conf is passed on the run's command line",
            "put secrets in Spark's spark-defaults.conf or the environment, not in kindling.yaml");
      }
      if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof java.util.List<?>) {
        problems.add(
            where + "." + key, "is not a single value", "give the property a string or number");
      }
    }
  }

  private static boolean isRunnable(String python) {
    if (python.contains(File.separator)) {
      return Files.isExecutable(Path.of(python));
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, python))) {
        return true;
      }
    }
    return false;
  }
}
