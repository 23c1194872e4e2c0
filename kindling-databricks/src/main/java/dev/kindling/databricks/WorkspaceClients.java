package dev.kindling.databricks;

import com.databricks.sdk.WorkspaceClient;
import com.databricks.sdk.core.DatabricksConfig;
import com.databricks.sdk.core.DatabricksException;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.error.AuthException;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Databricks SDK's {@link WorkspaceClient} for a target, once, on first use: building it
 * resolves credentials and makes two discovery requests, which a command that never talks to the
 * workspace ({@code kindling validate}, {@code --help}) should not pay for.
 *
 * <p>Authentication is the SDK's: {@code default} is Databricks unified auth (environment
 * variables, the {@code DEFAULT} profile of {@code ~/.databrickscfg}, Azure CLI, Azure service
 * principal, Azure managed identity, tried in the SDK's order); the other methods pin one.
 */
final class WorkspaceClients implements Supplier<WorkspaceClient> {
  private static final Logger log = LoggerFactory.getLogger(WorkspaceClients.class);

  /** Seconds a single HTTP request may take. */
  static final int HTTP_TIMEOUT_SECONDS = 60;

  private final DatabricksSettings settings;
  private final com.databricks.sdk.core.CredentialsProvider credentials;
  private volatile WorkspaceClient client;

  WorkspaceClients(DatabricksSettings settings) {
    this(settings, null);
  }

  /** Clients that authenticate with {@code credentials} instead of the auth block (if not null). */
  WorkspaceClients(
      DatabricksSettings settings, com.databricks.sdk.core.CredentialsProvider credentials) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.credentials = credentials;
  }

  @Override
  public WorkspaceClient get() {
    WorkspaceClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c = build();
          client = c;
        }
      }
    }
    return c;
  }

  private WorkspaceClient build() {
    DatabricksConfig config = config(settings);
    if (credentials != null) {
      config.setAuthType(credentials.authType()).setToken(null).setCredentialsProvider(credentials);
    }
    try {
      WorkspaceClient c = new WorkspaceClient(config);
      log.debug("databricks client for {} ready (auth {})", settings.host(), config.getAuthType());
      return c;
    } catch (DatabricksException e) {
      throw new AuthException(
          "databricks: could not set up authentication to "
              + settings.host()
              + " with auth method "
              + settings.auth().method().name().toLowerCase(java.util.Locale.ROOT)
              + ": "
              + e.getMessage()
              + ". "
              + hint(settings.auth()),
          e,
          DatabricksPlatformService.ID,
          null,
          null,
          null);
    }
  }

  /** The SDK configuration for the target's host and auth block. */
  static DatabricksConfig config(DatabricksSettings settings) {
    AuthConfig auth = settings.auth();
    DatabricksConfig c = new DatabricksConfig().setHost(settings.host());
    c.setHttpTimeoutSeconds(
        dev.kindling.core.http.HttpClients.readTimeoutOverride()
            .map(d -> (int) Math.max(1, d.toSeconds()))
            .orElse(HTTP_TIMEOUT_SECONDS));
    switch (auth.method()) {
      case TOKEN ->
          c.setAuthType("pat")
              .setToken(auth.token().map(s -> s.reveal()).orElseThrow(() -> missing("token")));
      case DATABRICKS_PROFILE -> c.setProfile(auth.profile().orElseThrow(() -> missing("profile")));
      case AZURE_CLI -> c.setAuthType("azure-cli");
      case CLIENT_SECRET ->
          c.setAuthType("azure-client-secret")
              .setAzureTenantId(auth.tenantId().orElseThrow(() -> missing("tenant_id")))
              .setAzureClientId(auth.clientId().orElseThrow(() -> missing("client_id")))
              .setAzureClientSecret(
                  auth.clientSecret()
                      .map(s -> s.reveal())
                      .orElseThrow(() -> missing("client_secret")));
      case MANAGED_IDENTITY -> {
        c.setAuthType("azure-msi").setAzureUseMsi(true);
        auth.clientId().ifPresent(c::setAzureClientId);
      }
      case DEFAULT -> {
        // Databricks unified auth: the SDK tries its credential providers in order
      }
      case NONE -> throw missing("method");
    }
    return c;
  }

  private static IllegalStateException missing(String key) {
    return new IllegalStateException("auth." + key + " is missing; validation should have said so");
  }

  private static String hint(AuthConfig auth) {
    return switch (auth.method()) {
      case TOKEN -> "Check auth.token (a personal access token, dapi...).";
      case DATABRICKS_PROFILE ->
          "Check that ~/.databrickscfg (or DATABRICKS_CONFIG_FILE) has the profile "
              + auth.profile().orElse("")
              + ".";
      case AZURE_CLI -> "Run `az login` first.";
      case CLIENT_SECRET -> "Check auth.tenant_id, auth.client_id and auth.client_secret.";
      case MANAGED_IDENTITY -> "Managed identity only works on an Azure machine that has one.";
      default ->
          "Set DATABRICKS_TOKEN, configure ~/.databrickscfg, run `az login`, or set auth.method"
              + " in the target (see docs/platforms/databricks.md).";
    };
  }
}
