package dev.kindling.databricks;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings of a {@code platform: databricks} target.
 *
 * <pre>{@code
 * targets:
 *   dbx:
 *     platform: databricks
 *     host: https://adb-1234567890123456.7.azuredatabricks.net
 *     artifacts_path: /Volumes/main/apps/artifacts/kindling
 *     cluster_id: 0123-456789-abcdefgh       # or new_cluster: {...}
 *     auth: {method: default}                 # Databricks unified auth
 * }</pre>
 *
 * @param host the workspace URL, {@code https://...} without a trailing slash
 * @param artifactsRoot where releases, blobs and run results live
 * @param auth how to authenticate
 * @param pollInterval how often a wait polls a run's status (setting {@code poll_interval}, e.g.
 *     {@code 5s}, {@code 500ms}; default 5 s)
 */
public record DatabricksSettings(
    String host, ArtifactsRoot artifactsRoot, AuthConfig auth, Duration pollInterval) {
  /** The default status poll interval. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");

  public DatabricksSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(artifactsRoot, "artifactsRoot");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(pollInterval, "pollInterval");
  }

  /**
   * The settings of {@code target}. {@code artifacts_path} is a job key in {@code kindling.yaml},
   * so it is read from the target's job defaults.
   *
   * @throws dev.kindling.core.error.ValidationException naming every problem
   */
  public static DatabricksSettings from(TargetConfig target) {
    Problems problems = new Problems();
    DatabricksSettings s = read(target, problems);
    problems.throwIfAny();
    return s;
  }

  /** Reads the settings, adding every problem to {@code problems}; null when there are any. */
  static DatabricksSettings read(TargetConfig target, Problems problems) {
    String at = "kindling.yaml: targets." + target.name() + ".";
    String host = null;
    Optional<String> rawHost = target.setting("host").map(String::trim);
    if (rawHost.isEmpty() || rawHost.get().isEmpty()) {
      problems.add(
          at + "host",
          "`host` is required",
          "set host to the workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net");
    } else {
      host = normalizeHost(rawHost.get());
      if (host == null) {
        problems.add(
            at + "host",
            "`" + rawHost.get() + "` is not a workspace URL",
            "use https://<workspace host>, e.g. https://adb-1234567890123456.7.azuredatabricks.net");
      }
    }
    ArtifactsRoot root = null;
    Optional<String> rawRoot = target.jobDefaults().artifactsPath();
    if (rawRoot.isEmpty()) {
      problems.add(
          at + "artifacts_path",
          "`artifacts_path` is required",
          "set artifacts_path to " + ArtifactsRoot.expected());
    } else {
      root = ArtifactsRoot.parse(rawRoot.get()).orElse(null);
      if (root == null) {
        problems.add(
            at + "artifacts_path",
            "`" + rawRoot.get() + "` is not a volume or DBFS directory",
            "use " + ArtifactsRoot.expected());
      }
    }
    Duration poll = DEFAULT_POLL_INTERVAL;
    Optional<String> rawPoll = target.setting("poll_interval");
    if (rawPoll.isPresent()) {
      poll = parseDuration(rawPoll.get()).orElse(null);
      if (poll == null || poll.isZero()) {
        problems.add(
            at + "poll_interval",
            "`" + rawPoll.get() + "` is not a positive duration",
            "write e.g. 5s, 500ms or 1m");
      }
    }
    AuthConfig auth = target.auth();
    if (auth.method() == AuthConfig.Method.NONE) {
      problems.add(
          at + "auth.method",
          "auth method none cannot reach a Databricks workspace",
          "remove auth for Databricks unified auth, or use token, databricks_profile, azure_cli,"
              + " client_secret or managed_identity");
    }
    if (auth.method() == AuthConfig.Method.DATABRICKS_PROFILE && auth.profile().isEmpty()) {
      problems.add(
          at + "auth.profile",
          "auth method databricks_profile needs `auth.profile`",
          "add auth.profile naming a section of ~/.databrickscfg");
    }
    if (host == null || root == null || poll == null || poll.isZero()) {
      return null;
    }
    return new DatabricksSettings(host, root, auth, poll);
  }

  /** {@code https://host} from a URL or a bare host name; null when it is neither. */
  static String normalizeHost(String raw) {
    String v = raw.trim();
    if (!v.contains("://")) {
      v = "https://" + v;
    }
    try {
      URI u = new URI(v);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http"))
          || u.getHost() == null
          || u.getHost().isEmpty()
          || u.getUserInfo() != null
          || u.getQuery() != null
          || u.getFragment() != null
          || !(u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/"))) {
        return null;
      }
      return scheme + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  static Optional<Duration> parseDuration(String raw) {
    Matcher m = DURATION.matcher(raw.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    return Optional.of(
        switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofSeconds(n);
        });
  }
}
