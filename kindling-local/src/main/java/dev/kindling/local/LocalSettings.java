package dev.kindling.local;

import dev.kindling.core.config.TargetConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@code platform: local} target.
 *
 * @param workspaceDir where artifacts, job definitions and run state live (default {@code
 *     ~/.kindling/local}, setting {@code workspace_dir})
 * @param python the Python interpreter runs use (default {@code python3}, setting {@code python})
 * @param master the Spark master of JVM runs (setting {@code master}, default {@code local[*]}):
 *     {@code local[...]} runs Spark in a child JVM from {@link #sparkClasspath()}; {@code
 *     spark://…}, {@code k8s://…} and {@code yarn} submit with {@code spark-submit} from {@link
 *     #sparkHome()}
 * @param sparkClasspath the file listing Spark's jars for local JVM runs (setting {@code
 *     spark_classpath}, else the system property {@code kindling.spark.classpath}, else the
 *     environment variable {@code KINDLING_SPARK_CLASSPATH}); written by the {@code
 *     kindling-local-spark} build
 * @param sparkHome a Spark installation for {@code spark-submit} (setting {@code spark_home}, else
 *     {@code SPARK_HOME}); without one, cluster masters are submitted to with Spark's own {@code
 *     SparkSubmit} class from {@link #sparkClasspath()}
 * @param sparkConf Spark properties for JVM runs (setting {@code spark_conf}, a mapping): {@code
 *     -Dkey=value} on a local master, {@code --conf key=value} when submitting
 */
public record LocalSettings(
    Path workspaceDir,
    String python,
    String master,
    Optional<Path> sparkClasspath,
    Optional<Path> sparkHome,
    Map<String, String> sparkConf) {
  /** The default Spark master. */
  public static final String DEFAULT_MASTER = "local[*]";

  /** The system property naming the Spark class path file. */
  public static final String CLASSPATH_PROPERTY = "kindling.spark.classpath";

  /** The environment variable naming the Spark class path file. */
  public static final String CLASSPATH_VARIABLE = "KINDLING_SPARK_CLASSPATH";

  public LocalSettings {
    Objects.requireNonNull(workspaceDir, "workspaceDir");
    Objects.requireNonNull(python, "python");
    master = master == null ? DEFAULT_MASTER : master;
    sparkClasspath = sparkClasspath == null ? defaultSparkClasspath() : sparkClasspath;
    sparkHome = sparkHome == null ? defaultSparkHome() : sparkHome;
    sparkConf =
        sparkConf == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sparkConf));
  }

  /** Without Spark properties. */
  public LocalSettings(
      Path workspaceDir,
      String python,
      String master,
      Optional<Path> sparkClasspath,
      Optional<Path> sparkHome) {
    this(workspaceDir, python, master, sparkClasspath, sparkHome, null);
  }

  /** Python runs only: the default master and Spark found the default way. */
  public LocalSettings(Path workspaceDir, String python) {
    this(workspaceDir, python, null, null, null, null);
  }

  /** Whether JVM runs use a local Spark in a child JVM ({@code local}, {@code local[N]}). */
  public boolean localMaster() {
    return master.equals("local") || master.startsWith("local[");
  }

  /**
   * Whether the master is a standalone master on this machine's loopback ({@code
   * spark://127.0.0.1:…}, {@code spark://localhost:…}): the driver then binds to 127.0.0.1 too.
   */
  public boolean loopbackMaster() {
    return master.startsWith("spark://127.0.0.1:") || master.startsWith("spark://localhost:");
  }

  /** The default workspace: {@code ~/.kindling/local}, or {@code $KINDLING_HOME/local}. */
  public static Path defaultWorkspace() {
    String home = System.getenv("KINDLING_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home, "local");
    }
    return Path.of(System.getProperty("user.home"), ".kindling", "local");
  }

  /** The settings of {@code target}, with defaults for what it leaves out. */
  public static LocalSettings from(TargetConfig target) {
    Path ws =
        target
            .setting("workspace_dir")
            .map(LocalSettings::expandHome)
            .orElseGet(LocalSettings::defaultWorkspace);
    return new LocalSettings(
        ws,
        target.setting("python").orElse("python3"),
        target.setting("master").orElse(null),
        target
            .setting("spark_classpath")
            .map(LocalSettings::expandHome)
            .or(LocalSettings::defaultSparkClasspath),
        target
            .setting("spark_home")
            .map(LocalSettings::expandHome)
            .or(LocalSettings::defaultSparkHome),
        sparkConf(target));
  }

  /**
   * The {@code spark_conf} mapping of {@code target} with its values as strings; empty when it is
   * missing or not a mapping ({@link LocalPlatformProvider} reports that).
   */
  static Map<String, String> sparkConf(TargetConfig target) {
    Map<String, String> conf = new LinkedHashMap<>();
    if (target.settings().get("spark_conf") instanceof Map<?, ?> m) {
      m.forEach((k, v) -> conf.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    }
    return conf;
  }

  private static Optional<Path> defaultSparkClasspath() {
    return nonBlank(System.getProperty(CLASSPATH_PROPERTY))
        .or(() -> nonBlank(System.getenv(CLASSPATH_VARIABLE)))
        .map(Path::of);
  }

  private static Optional<Path> defaultSparkHome() {
    return nonBlank(System.getenv("SPARK_HOME")).map(Path::of);
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }

  private static Path expandHome(String p) {
    if (p.equals("~") || p.startsWith("~/")) {
      return Path.of(System.getProperty("user.home") + p.substring(1));
    }
    return Path.of(p);
  }
}
