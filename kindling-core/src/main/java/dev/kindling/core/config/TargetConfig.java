package dev.kindling.core.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One named target of {@code kindling.yaml}: a platform, that platform's settings, the auth block
 * and job defaults. Values are already {@code ${env:NAME}}-substituted.
 *
 * @param name the target's name ({@code dev}, {@code local}, ...)
 * @param platform the platform id ({@code local}, {@code fabric}, {@code databricks}, {@code
 *     synapse})
 * @param settings the platform settings (e.g. {@code workspace_id}, {@code host}); secrets never
 *     appear here, they live in {@link #auth()}
 * @param auth the auth block
 * @param jobDefaults job keys given in the target, applied under every deploy's own config
 */
public record TargetConfig(
    String name,
    String platform,
    Map<String, Object> settings,
    AuthConfig auth,
    JobConfig jobDefaults) {

  public TargetConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(platform, "platform");
    settings =
        settings == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    auth = auth == null ? AuthConfig.defaults() : auth;
    jobDefaults = jobDefaults == null ? JobConfig.builder().build() : jobDefaults;
  }

  /** A string setting, if present. */
  public Optional<String> setting(String key) {
    Object v = settings.get(key);
    return v == null ? Optional.empty() : Optional.of(v.toString());
  }

  /**
   * The target for display: settings whose names look secret are masked, auth secrets print as
   * {@code ****}.
   */
  @Override
  public String toString() {
    return "TargetConfig[name="
        + name
        + ", platform="
        + platform
        + ", settings="
        + Redaction.redact(settings)
        + ", auth="
        + auth
        + ", jobDefaults="
        + jobDefaults
        + "]";
  }

  /** The built-in {@code local} target: the local platform with its defaults. */
  public static TargetConfig local() {
    return new TargetConfig("local", "local", Map.of(), AuthConfig.none(), null);
  }
}
