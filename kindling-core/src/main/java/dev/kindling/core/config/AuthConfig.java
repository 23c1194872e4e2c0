package dev.kindling.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code auth:} block of a target, the same shape on every platform. Secret fields are {@link
 * Secret}s, so printing this object never shows them.
 *
 * @param method how to authenticate
 * @param token the bearer token or PAT, for {@link Method#TOKEN}
 * @param storageToken the token for the storage audience, when it differs from {@code token}
 * @param tenantId Entra tenant, for {@link Method#CLIENT_SECRET}
 * @param clientId application (client) id, for {@link Method#CLIENT_SECRET} and user-assigned
 *     managed identities
 * @param clientSecret the client secret, for {@link Method#CLIENT_SECRET}
 * @param profile the {@code ~/.databrickscfg} profile, for {@link Method#DATABRICKS_PROFILE}
 */
public record AuthConfig(
    Method method,
    Optional<Secret> token,
    Optional<Secret> storageToken,
    Optional<String> tenantId,
    Optional<String> clientId,
    Optional<Secret> clientSecret,
    Optional<String> profile) {

  /** Authentication methods. YAML spells them in lower case ({@code client_secret}). */
  public enum Method {
    DEFAULT,
    AZURE_CLI,
    CLIENT_SECRET,
    MANAGED_IDENTITY,
    TOKEN,
    DATABRICKS_PROFILE,
    /** No credentials at all (the local platform). */
    NONE
  }

  public AuthConfig {
    Objects.requireNonNull(method, "method");
    token = token == null ? Optional.empty() : token;
    storageToken = storageToken == null ? Optional.empty() : storageToken;
    tenantId = tenantId == null ? Optional.empty() : tenantId;
    clientId = clientId == null ? Optional.empty() : clientId;
    clientSecret = clientSecret == null ? Optional.empty() : clientSecret;
    profile = profile == null ? Optional.empty() : profile;
  }

  public static AuthConfig defaults() {
    return new AuthConfig(Method.DEFAULT, null, null, null, null, null, null);
  }

  public static AuthConfig none() {
    return new AuthConfig(Method.NONE, null, null, null, null, null, null);
  }

  public static AuthConfig token(Secret token) {
    return new AuthConfig(Method.TOKEN, Optional.of(token), null, null, null, null, null);
  }

  /** The token for the storage audience: {@code storage_token}, else {@code token}. */
  public Optional<Secret> effectiveStorageToken() {
    return storageToken.isPresent() ? storageToken : token;
  }
}
