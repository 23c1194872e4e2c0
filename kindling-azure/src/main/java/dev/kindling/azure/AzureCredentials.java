package dev.kindling.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.http.AccessToken;
import dev.kindling.core.http.TokenProvider;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azure Identity adapted to core's {@link TokenProvider}: one chain for Fabric and Synapse, chosen
 * by the target's {@code auth.method}.
 *
 * <table>
 *   <caption>auth.method to credential</caption>
 *   <tr><th>method</th><th>credential</th></tr>
 *   <tr><td>{@code default}</td><td>{@code DefaultAzureCredential} (environment, workload
 *       identity, managed identity, Azure CLI, …)</td></tr>
 *   <tr><td>{@code azure_cli}</td><td>{@code AzureCliCredential} ({@code az login})</td></tr>
 *   <tr><td>{@code client_secret}</td><td>{@code ClientSecretCredential}: {@code tenant_id},
 *       {@code client_id}, {@code client_secret}</td></tr>
 *   <tr><td>{@code managed_identity}</td><td>{@code ManagedIdentityCredential}, user-assigned
 *       when {@code client_id} is set</td></tr>
 *   <tr><td>{@code token}</td><td>static tokens: {@code token} for the platform API, {@code
 *       storage_token} (else {@code token}) for the storage audience</td></tr>
 * </table>
 *
 * <p>The Azure credential is built on the first token request, never when the provider is made (so
 * wiring a target does no I/O). Tokens and secrets never appear in log lines or messages; wrap the
 * provider in a {@code CachingTokenProvider} (as {@code HttpClients} does) to reuse tokens.
 */
public final class AzureCredentials {
  /** The storage audience (OneLake, ADLS Gen2). */
  public static final String STORAGE_SCOPE = "https://storage.azure.com/.default";

  private static final Logger log = LoggerFactory.getLogger(AzureCredentials.class);

  private AzureCredentials() {}

  /** The token provider for {@code auth}. Does no I/O. */
  public static TokenProvider from(AuthConfig auth) {
    Objects.requireNonNull(auth, "auth");
    return switch (auth.method()) {
      case TOKEN -> new StaticTokens(auth.token(), auth.effectiveStorageToken());
      case DEFAULT ->
          new Lazy("DefaultAzureCredential", () -> new DefaultAzureCredentialBuilder().build());
      case AZURE_CLI ->
          new Lazy("AzureCliCredential", () -> new AzureCliCredentialBuilder().build());
      case CLIENT_SECRET -> {
        String tenant = require(auth.tenantId(), "tenant_id");
        String client = require(auth.clientId(), "client_id");
        Secret secret =
            auth.clientSecret()
                .orElseThrow(() -> missing("client_secret", AuthConfig.Method.CLIENT_SECRET));
        yield new Lazy(
            "ClientSecretCredential (tenant " + tenant + ", client " + client + ")",
            () ->
                new ClientSecretCredentialBuilder()
                    .tenantId(tenant)
                    .clientId(client)
                    .clientSecret(secret.reveal())
                    .build());
      }
      case MANAGED_IDENTITY -> {
        Optional<String> client = auth.clientId();
        yield new Lazy(
            "ManagedIdentityCredential" + client.map(c -> " (client " + c + ")").orElse(""),
            () -> {
              ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder();
              client.ifPresent(b::clientId);
              return b.build();
            });
      }
      default ->
          throw new AuthException(
              "auth method "
                  + auth.method().name().toLowerCase(java.util.Locale.ROOT)
                  + " is not supported on Azure platforms; use default, azure_cli, client_secret,"
                  + " managed_identity or token");
    };
  }

  /** Adapts an Azure {@link TokenCredential}; {@code name} is used in error messages. */
  public static TokenProvider of(TokenCredential credential, String name) {
    Objects.requireNonNull(credential, "credential");
    return new Lazy(name, () -> credential);
  }

  /** Whether {@code scope} is the storage audience. */
  public static boolean isStorageScope(String scope) {
    return scope != null && scope.startsWith("https://storage.azure.com");
  }

  private static String require(Optional<String> value, String key) {
    return value
        .filter(v -> !v.isBlank())
        .orElseThrow(() -> missing(key, AuthConfig.Method.CLIENT_SECRET));
  }

  private static AuthException missing(String key, AuthConfig.Method method) {
    return new AuthException(
        "auth method "
            + method.name().toLowerCase(java.util.Locale.ROOT)
            + " needs `"
            + key
            + "` in the target's auth block (a secret may come from the environment: ${env:NAME})");
  }

  /** Static tokens by audience. */
  private static final class StaticTokens implements TokenProvider {
    private final Optional<Secret> api;
    private final Optional<Secret> storage;

    StaticTokens(Optional<Secret> api, Optional<Secret> storage) {
      this.api = api;
      this.storage = storage;
    }

    @Override
    public AccessToken token(String scope) {
      Optional<Secret> t = isStorageScope(scope) ? storage : api;
      return AccessToken.nonExpiring(
          t.filter(s -> !s.isEmpty())
              .orElseThrow(
                  () ->
                      new AuthException(
                          "auth method token needs `"
                              + (isStorageScope(scope) ? "storage_token` (or `token`)" : "token`")
                              + " in the target's auth block")));
    }

    @Override
    public String toString() {
      return "AzureCredentials.token";
    }
  }

  /** An Azure credential built on first use. */
  private static final class Lazy implements TokenProvider {
    private final String name;
    private final Supplier<TokenCredential> factory;
    private volatile TokenCredential credential;

    Lazy(String name, Supplier<TokenCredential> factory) {
      this.name = name;
      this.factory = factory;
    }

    private TokenCredential credential() {
      TokenCredential c = credential;
      if (c == null) {
        synchronized (this) {
          c = credential;
          if (c == null) {
            try {
              c = factory.get();
            } catch (RuntimeException e) {
              throw new AuthException(
                  "could not set up " + name + ": " + e.getClass().getSimpleName(), e);
            }
            credential = c;
            log.debug("using Azure credential {}", name);
          }
        }
      }
      return c;
    }

    @Override
    public AccessToken token(String scope) {
      com.azure.core.credential.AccessToken t;
      try {
        t = credential().getTokenSync(new TokenRequestContext().addScopes(scope));
      } catch (AuthException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new AuthException(
            name
                + " could not get a token for "
                + scope
                + ": "
                + firstLine(e.getMessage())
                + ". Check `az login`, the service principal or the managed identity,"
                + " and the target's auth block.",
            e);
      }
      if (t == null || t.getToken() == null) {
        throw new AuthException(name + " returned no token for " + scope);
      }
      Instant expires =
          t.getExpiresAt() == null ? Instant.now().plusSeconds(300) : t.getExpiresAt().toInstant();
      return new AccessToken(Secret.of(t.getToken()), expires);
    }

    @Override
    public String toString() {
      return "AzureCredentials{" + name + "}";
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no details";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
