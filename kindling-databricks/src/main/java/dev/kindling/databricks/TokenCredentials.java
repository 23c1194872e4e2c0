package dev.kindling.databricks;

import com.databricks.sdk.core.CredentialsProvider;
import com.databricks.sdk.core.DatabricksConfig;
import com.databricks.sdk.core.HeaderFactory;
import dev.kindling.core.http.CachingTokenProvider;
import dev.kindling.core.http.TokenProvider;
import dev.kindling.core.time.Scheduler;
import java.util.Map;
import java.util.Objects;

/**
 * The Databricks SDK's credentials from a Kindling {@link TokenProvider}: every request asks a
 * {@link CachingTokenProvider} (on the given clock) for the bearer token, so a token is refreshed
 * before it expires even in the middle of a long wait. Never logs or prints the token.
 */
final class TokenCredentials implements CredentialsProvider {
  private final TokenProvider tokens;
  private final String scope;

  TokenCredentials(TokenProvider tokens, String scope, Scheduler scheduler) {
    Objects.requireNonNull(tokens, "tokens");
    this.tokens =
        tokens instanceof CachingTokenProvider
            ? tokens
            : new CachingTokenProvider(tokens, scheduler);
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  @Override
  public String authType() {
    return "kindling-token-provider";
  }

  @Override
  public HeaderFactory configure(DatabricksConfig config) {
    return this::headers;
  }

  /** The request headers that carry the current token. */
  Map<String, String> headers() {
    return Map.of("Authorization", "Bearer " + tokens.token(scope).value().reveal());
  }

  /** Forgets the cached token (the workspace refused it), so the next request gets a fresh one. */
  void invalidate() {
    tokens.invalidate(scope);
  }

  @Override
  public String toString() {
    return "TokenCredentials{" + scope + "}";
  }
}
