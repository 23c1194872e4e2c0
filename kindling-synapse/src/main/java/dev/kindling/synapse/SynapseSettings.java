package dev.kindling.synapse;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings of a {@code platform: synapse} target.
 *
 * @param workspaceUrl the workspace's dev endpoint, e.g. {@code https://myws.dev.azuresynapse.net}
 *     (setting {@code workspace_url}, or derived from {@code workspace_name})
 * @param sparkPoolName the Spark pool jobs run on (setting {@code spark_pool_name})
 * @param artifactsPath where releases are stored (setting {@code artifacts_path}, an {@code
 *     abfss://} URL)
 * @param storageUrl the DFS endpoint uploads go to instead of {@code https://<account>.dfs...}
 *     (setting {@code storage_url}; for emulators and private endpoints)
 * @param livyApiVersion the Livy API version in the path (setting {@code livy_api_version})
 * @param auth the auth block
 */
public record SynapseSettings(
    URI workspaceUrl,
    String sparkPoolName,
    AbfssPath artifactsPath,
    Optional<URI> storageUrl,
    String livyApiVersion,
    AuthConfig auth) {

  /** The Livy API version the Azure SDKs send. */
  public static final String DEFAULT_LIVY_API_VERSION = "2019-11-01-preview";

  /** The Livy API versions Synapse accepts. */
  public static final Set<String> LIVY_API_VERSIONS = Set.of("2019-11-01-preview", "2020-12-01");

  /** Setting keys. */
  static final String WORKSPACE_NAME = "workspace_name";

  static final String WORKSPACE_URL = "workspace_url";
  static final String SPARK_POOL_NAME = "spark_pool_name";
  static final String ARTIFACTS_PATH = "artifacts_path";
  static final String STORAGE_URL = "storage_url";
  static final String LIVY_API_VERSION = "livy_api_version";

  /** Every setting key of a synapse target. */
  static final Set<String> KEYS =
      Set.of(
          WORKSPACE_NAME,
          WORKSPACE_URL,
          SPARK_POOL_NAME,
          ARTIFACTS_PATH,
          STORAGE_URL,
          LIVY_API_VERSION);

  /** Workspace names: 1-50 lower-case letters, digits and '-', starting with a letter or digit. */
  private static final Pattern WORKSPACE = Pattern.compile("[a-z0-9][a-z0-9-]{0,49}");

  /** Spark pool names: letters and digits, starting with a letter, at most 15 characters. */
  static final Pattern POOL = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,14}");

  public SynapseSettings {
    Objects.requireNonNull(workspaceUrl, "workspaceUrl");
    Objects.requireNonNull(sparkPoolName, "sparkPoolName");
    Objects.requireNonNull(artifactsPath, "artifactsPath");
    storageUrl = storageUrl == null ? Optional.empty() : storageUrl;
    livyApiVersion = livyApiVersion == null ? DEFAULT_LIVY_API_VERSION : livyApiVersion;
    Objects.requireNonNull(auth, "auth");
  }

  /** The settings of {@code target}; call {@link #validate} first for readable problems. */
  public static SynapseSettings from(TargetConfig target) {
    Problems problems = new Problems();
    validate(target, "targets." + target.name(), problems);
    problems.throwIfAny();
    return new SynapseSettings(
        workspaceUrl(target).orElseThrow(),
        value(target, SPARK_POOL_NAME).orElseThrow(),
        value(target, ARTIFACTS_PATH).flatMap(AbfssPath::tryParse).orElseThrow(),
        value(target, STORAGE_URL).map(SynapseSettings::trimSlash).map(URI::create),
        value(target, LIVY_API_VERSION).orElse(DEFAULT_LIVY_API_VERSION),
        target.auth());
  }

  /** Adds every problem of the target's settings. */
  static void validate(TargetConfig target, String location, Problems problems) {
    Optional<String> name = value(target, WORKSPACE_NAME);
    Optional<String> url = value(target, WORKSPACE_URL);
    if (name.isEmpty() && url.isEmpty()) {
      problems.add(
          location,
          "a synapse target needs `workspace_name` or `workspace_url`",
          "set workspace_name: <your workspace> (the dev endpoint"
              + " https://<name>.dev.azuresynapse.net is derived from it)");
    }
    name.filter(n -> !WORKSPACE.matcher(n).matches())
        .ifPresent(
            n ->
                problems.add(
                    location + "." + WORKSPACE_NAME,
                    "`" + n + "` is not a Synapse workspace name",
                    "use the workspace's name: lower-case letters, digits and '-'"));
    url.filter(u -> !isHttpUrl(u))
        .ifPresent(
            u ->
                problems.add(
                    location + "." + WORKSPACE_URL,
                    "`" + u + "` is not an http(s) URL",
                    "use the dev endpoint, e.g. https://myws.dev.azuresynapse.net"));
    value(target, STORAGE_URL)
        .filter(u -> !isHttpUrl(u))
        .ifPresent(
            u ->
                problems.add(
                    location + "." + STORAGE_URL,
                    "`" + u + "` is not an http(s) URL",
                    "remove it to use https://<account>.dfs.core.windows.net"));
    Optional<String> pool = value(target, SPARK_POOL_NAME);
    if (pool.isEmpty()) {
      problems.add(
          location + "." + SPARK_POOL_NAME,
          "`spark_pool_name` is required",
          "set spark_pool_name to the workspace's Apache Spark pool");
    } else if (!POOL.matcher(pool.get()).matches()) {
      problems.add(
          location + "." + SPARK_POOL_NAME,
          "`" + pool.get() + "` is not a Spark pool name",
          "pool names are 1-15 letters and digits starting with a letter");
    }
    Optional<String> artifacts = value(target, ARTIFACTS_PATH);
    if (artifacts.isEmpty()) {
      problems.add(
          location + "." + ARTIFACTS_PATH,
          "`artifacts_path` is required",
          "set it to a folder of the workspace's storage, e.g."
              + " abfss://<filesystem>@<account>.dfs.core.windows.net/kindling");
    } else if (AbfssPath.tryParse(artifacts.get()).isEmpty()) {
      problems.add(
          location + "." + ARTIFACTS_PATH,
          "`" + artifacts.get() + "` is not an abfss:// location",
          "use abfss://<filesystem>@<account>.dfs.core.windows.net/<path>");
    }
    value(target, LIVY_API_VERSION)
        .filter(v -> !LIVY_API_VERSIONS.contains(v))
        .ifPresent(
            v ->
                problems.add(
                    location + "." + LIVY_API_VERSION,
                    "`" + v + "` is not a Livy API version Synapse serves",
                    "use " + String.join(" or ", new java.util.TreeSet<>(LIVY_API_VERSIONS))));
  }

  /** The Livy base path of this target's pool: {@code /livyApi/versions/<v>/sparkPools/<pool>}. */
  String livyBase(String pool) {
    return "livyApi/versions/" + livyApiVersion + "/sparkPools/" + pool;
  }

  private static Optional<URI> workspaceUrl(TargetConfig target) {
    Optional<String> url = value(target, WORKSPACE_URL);
    if (url.isPresent()) {
      return url.map(SynapseSettings::trimSlash).map(URI::create);
    }
    return value(target, WORKSPACE_NAME)
        .map(n -> URI.create("https://" + n.toLowerCase(Locale.ROOT) + ".dev.azuresynapse.net"));
  }

  /**
   * A setting from the target's settings, or from its job defaults ({@code spark_pool_name} and
   * {@code artifacts_path} are job keys too, so {@code kindling.yaml} files them there).
   */
  static Optional<String> value(TargetConfig target, String key) {
    Optional<String> v = target.setting(key).map(String::trim).filter(s -> !s.isEmpty());
    if (v.isPresent()) {
      return v;
    }
    Object d = target.jobDefaults().toMap().get(key);
    return d == null
        ? Optional.empty()
        : Optional.of(d.toString().trim()).filter(s -> !s.isEmpty());
  }

  private static boolean isHttpUrl(String u) {
    try {
      URI uri = URI.create(u);
      return ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String trimSlash(String u) {
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }
}
