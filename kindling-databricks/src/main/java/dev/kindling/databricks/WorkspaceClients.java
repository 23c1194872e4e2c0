package dev.kindling.databricks;

import com.databricks.sdk.WorkspaceClient;
import com.databricks.sdk.core.AzureCliCredentialsProvider;
import com.databricks.sdk.core.AzureMsiCredentialsProvider;
import com.databricks.sdk.core.CredentialsProvider;
import com.databricks.sdk.core.DatabricksConfig;
import com.databricks.sdk.core.DatabricksException;
import com.databricks.sdk.core.PatCredentialsProvider;
import com.databricks.sdk.core.commons.CommonsHttpClient;
import com.databricks.sdk.core.oauth.AzureServicePrincipalCredentialsProvider;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.error.AuthException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Databricks SDK's {@link WorkspaceClient} for a target, once, on first use: building it
 * resolves the configuration and asks the workspace for its metadata ({@code GET
 * /.well-known/databricks-config}, which every SDK client makes while it is built), which a command
 * that never talks to the workspace ({@code kindling validate}, {@code --help}) should not pay for.
 *
 * <p>Authentication is the SDK's: {@code default} is Databricks unified auth (environment
 * variables, the {@code DEFAULT} profile of {@code ~/.databrickscfg}, Azure CLI, Azure service
 * principal, Azure managed identity, tried in the SDK's order); the other methods pin one, with the
 * SDK's own credentials provider for it ({@link #pinnedProvider}): the SDK's default provider would
 * first build every provider it knows, and its OAuth ones fetch the workspace's OpenID
 * configuration ({@code GET /oidc/.well-known/oauth-authorization-server}) on every client.
 *
 * <p>Clients built from a target's {@code auth} block are shared by every service of the process
 * with the same host and credentials ({@link #SHARED}, the {@value #SHARED_CLIENTS} most recently
 * used): a second {@code Kindling} for the same target (a redeploy in a long-lived process, a test
 * suite) reuses the resolved configuration, the connection pool and the SDK's warmed-up JSON mapper
 * instead of paying the metadata request and about 0.1 s of mapper set-up again. Clients with a
 * caller's own credentials ({@link TokenCredentials}) are not shared.
 */
final class WorkspaceClients implements Supplier<WorkspaceClient> {
  private static final Logger log = LoggerFactory.getLogger(WorkspaceClients.class);

  /** Seconds a single HTTP request may take. */
  static final int HTTP_TIMEOUT_SECONDS = 60;

  /** How many clients built from auth blocks the process keeps for reuse. */
  static final int SHARED_CLIENTS = 8;

  /**
   * Clients built from auth blocks, by a digest of everything that went into their configuration
   * (so that no credential is kept as a key); least recently used first.
   */
  private static final Map<String, WorkspaceClient> SHARED =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, WorkspaceClient> eldest) {
          return size() > SHARED_CLIENTS;
        }
      };

  private final DatabricksSettings settings;
  private final CredentialsProvider credentials;
  private volatile WorkspaceClient client;

  WorkspaceClients(DatabricksSettings settings) {
    this(settings, null);
  }

  /** Clients that authenticate with {@code credentials} instead of the auth block (if not null). */
  WorkspaceClients(DatabricksSettings settings, CredentialsProvider credentials) {
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
      if (credentials instanceof TokenCredentials tokens) {
        config.setHttpClient(
            new RefreshingHttpClient(
                new CommonsHttpClient.Builder().withDatabricksConfig(config).build(), tokens));
      }
      return build(config);
    }
    String key = key(config);
    synchronized (SHARED) {
      WorkspaceClient shared = SHARED.get(key);
      if (shared != null) {
        log.debug("databricks client for {} reused", settings.host());
        return shared;
      }
    }
    pinnedProvider(config.getAuthType()).ifPresent(config::setCredentialsProvider);
    WorkspaceClient built = build(config);
    synchronized (SHARED) {
      // two services that raced both built one: keep the first, so that later ones share it
      WorkspaceClient first = SHARED.putIfAbsent(key, built);
      return first != null ? first : built;
    }
  }

  /**
   * The SDK's credentials provider for an auth type Kindling pins, used directly instead of through
   * the SDK's default provider (which picks the same one by its auth type, after building all the
   * others, including OAuth ones that fetch the workspace's OpenID configuration).
   */
  static Optional<CredentialsProvider> pinnedProvider(String authType) {
    if (authType == null) {
      return Optional.empty();
    }
    return switch (authType) {
      case "pat" -> Optional.of(new PatCredentialsProvider());
      case "azure-cli" -> Optional.of(new AzureCliCredentialsProvider());
      case "azure-client-secret" -> Optional.of(new AzureServicePrincipalCredentialsProvider());
      case "azure-msi" -> Optional.of(new AzureMsiCredentialsProvider());
      default -> Optional.empty();
    };
  }

  /** A digest of every setting {@link #config} makes, secrets included: equal for equal clients. */
  static String key(DatabricksConfig c) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    for (Object part :
        new Object[] {
          c.getHost(),
          c.getAuthType(),
          c.getToken(),
          c.getProfile(),
          c.getAzureTenantId(),
          c.getAzureClientId(),
          c.getAzureClientSecret(),
          c.getAzureUseMsi(),
          c.getHttpTimeoutSeconds()
        }) {
      digest.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private WorkspaceClient build(DatabricksConfig config) {
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
