package dev.kindling.fabric;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of a {@code platform: fabric} target.
 *
 * @param workspaceId the workspace GUID ({@code workspace_id}, required)
 * @param lakehouseId the default lakehouse GUID ({@code lakehouse_id}, required)
 * @param artifactsPath the artifacts root ({@code artifacts_path}, default {@code
 *     abfss://<workspace_id>@onelake.dfs.fabric.microsoft.com/<lakehouse_id>/Files/kindling})
 * @param environmentId the Fabric Environment item GUID ({@code environment_id}), if any
 * @param apiUrl the Fabric REST base ({@code api_url}, default {@code
 *     https://api.fabric.microsoft.com/v1})
 * @param onelakeUrl where OneLake DFS requests go ({@code onelake_url}, default {@code
 *     https://onelake.dfs.fabric.microsoft.com})
 * @param pollInterval how often a wait polls run status ({@code poll_interval} in seconds, default
 *     5)
 * @param auth the auth block
 */
public record FabricSettings(
    String workspaceId,
    String lakehouseId,
    String artifactsPath,
    Optional<String> environmentId,
    URI apiUrl,
    URI onelakeUrl,
    Duration pollInterval,
    AuthConfig auth) {

  /** The default REST base. */
  public static final String DEFAULT_API_URL = "https://api.fabric.microsoft.com/v1";

  /** The default OneLake endpoint. */
  public static final String DEFAULT_ONELAKE_URL = "https://onelake.dfs.fabric.microsoft.com";

  static final Pattern GUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  static final Pattern ABFSS = Pattern.compile("abfss://[^@/\\s]+@[^/\\s]+(/\\S*)?");

  public FabricSettings {
    Objects.requireNonNull(workspaceId, "workspaceId");
    Objects.requireNonNull(lakehouseId, "lakehouseId");
    Objects.requireNonNull(artifactsPath, "artifactsPath");
    environmentId = environmentId == null ? Optional.empty() : environmentId;
    Objects.requireNonNull(apiUrl, "apiUrl");
    Objects.requireNonNull(onelakeUrl, "onelakeUrl");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(auth, "auth");
  }

  /** The default artifacts root of a workspace and lakehouse. */
  public static String defaultArtifactsPath(String workspaceId, String lakehouseId) {
    return "abfss://"
        + workspaceId
        + "@onelake.dfs.fabric.microsoft.com/"
        + lakehouseId
        + "/Files/kindling";
  }

  /** The settings of {@code target}; call {@link #validate} first for friendly messages. */
  public static FabricSettings from(TargetConfig target) {
    String ws = target.setting("workspace_id").orElse("");
    String lh = value(target, "lakehouse_id").orElse("");
    return new FabricSettings(
        ws,
        lh,
        value(target, "artifacts_path")
            .map(p -> p.replaceAll("/+$", ""))
            .orElseGet(() -> defaultArtifactsPath(ws, lh)),
        value(target, "environment_id").filter(s -> !s.isBlank()),
        URI.create(target.setting("api_url").orElse(DEFAULT_API_URL).replaceAll("/+$", "")),
        URI.create(target.setting("onelake_url").orElse(DEFAULT_ONELAKE_URL).replaceAll("/+$", "")),
        target
            .setting("poll_interval")
            .map(s -> Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000)))
            .orElse(Duration.ofSeconds(5)),
        target.auth());
  }

  /** Adds every problem of {@code target}'s Fabric settings. */
  static void validate(TargetConfig target, Problems problems) {
    String at = "kindling.yaml: targets." + target.name() + ".";
    guid(target, "workspace_id", true, at, problems);
    guid(target, "lakehouse_id", true, at, problems);
    guid(target, "environment_id", false, at, problems);
    value(target, "artifacts_path")
        .filter(p -> !ABFSS.matcher(p).matches())
        .ifPresent(
            p ->
                problems.add(
                    at + "artifacts_path",
                    "'" + p + "' is not an abfss:// location",
                    "use abfss://<workspace_id>@onelake.dfs.fabric.microsoft.com/<lakehouse_id>"
                        + "/Files/<folder>, or leave it out for the default"));
    for (String key : new String[] {"api_url", "onelake_url"}) {
      target
          .setting(key)
          .filter(u -> !u.matches("https?://[^\\s/]+(/\\S*)?"))
          .ifPresent(
              u ->
                  problems.add(
                      at + key,
                      "'" + u + "' is not an http(s) URL",
                      "leave it out for the public cloud, or give a full URL"));
    }
    target
        .setting("poll_interval")
        .filter(s -> !s.matches("\\d+(\\.\\d+)?") || Double.parseDouble(s) <= 0)
        .ifPresent(
            s ->
                problems.add(
                    at + "poll_interval",
                    "'" + s + "' is not a positive number of seconds",
                    "e.g. poll_interval: 5"));
    AuthConfig auth = target.auth();
    switch (auth.method()) {
      case DEFAULT, AZURE_CLI, MANAGED_IDENTITY -> {}
      case CLIENT_SECRET -> {
        if (auth.tenantId().isEmpty()
            || auth.clientId().isEmpty()
            || auth.clientSecret().isEmpty()) {
          problems.add(
              at + "auth",
              "client_secret needs tenant_id, client_id and client_secret",
              "set them; take the secret from the environment: client_secret: ${env:AZURE_CLIENT_SECRET}");
        }
      }
      case TOKEN -> {
        if (auth.token().isEmpty()) {
          problems.add(
              at + "auth.token",
              "auth method token needs `token` (Fabric API audience)",
              "set token (and storage_token for OneLake), or use method: default");
        }
      }
      default ->
          problems.add(
              at + "auth.method",
              "auth method "
                  + auth.method().name().toLowerCase(java.util.Locale.ROOT)
                  + " is not available on Fabric",
              "use default, azure_cli, client_secret, managed_identity or token");
    }
  }

  /**
   * A target setting; {@code lakehouse_id}, {@code environment_id} and {@code artifacts_path} are
   * also job keys, so a target's value of them arrives among its job defaults.
   */
  static Optional<String> value(TargetConfig target, String key) {
    Optional<String> direct = target.setting(key);
    if (direct.isPresent()) {
      return direct;
    }
    return switch (key) {
      case "lakehouse_id" -> target.jobDefaults().lakehouseId();
      case "environment_id" -> target.jobDefaults().environmentId();
      case "artifacts_path" -> target.jobDefaults().artifactsPath();
      default -> Optional.empty();
    };
  }

  private static void guid(
      TargetConfig target, String key, boolean required, String at, Problems problems) {
    Optional<String> v = value(target, key).filter(s -> !s.isBlank());
    if (v.isEmpty()) {
      if (required) {
        problems.add(
            at + key,
            "`" + key + "` is required for Fabric",
            "copy the GUID from the item's URL in the Fabric portal (…/groups/<workspace_id>/…)");
      }
    } else if (!GUID.matcher(v.get()).matches()) {
      problems.add(
          at + key,
          "`" + key + "` '" + v.get() + "' is not a GUID",
          "use the item's GUID, not its name");
    }
  }
}
