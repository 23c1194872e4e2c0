package dev.kindling.local;

import com.google.inject.Module;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import dev.kindling.core.spi.PlatformProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** Plugs the local platform in ({@code platform: local}). */
public final class LocalPlatformProvider implements PlatformProvider {
  @Override
  public String id() {
    return LocalPlatformService.ID;
  }

  @Override
  public Set<String> settingKeys() {
    return Set.of("workspace_dir", "python", "master", "spark_classpath", "spark_home");
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
