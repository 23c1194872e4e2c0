package dev.kindling.core.http;

/**
 * Gets bearer tokens: scope in, token out. Core sees only this; Azure Identity, Databricks auth and
 * static tokens are adapted to it. Implementations must be thread-safe, and must never log the
 * token.
 *
 * <p>Errors are thrown as {@link dev.kindling.core.error.AuthException} with a message that says
 * which credential failed and what to check.
 */
@FunctionalInterface
public interface TokenProvider {
  /**
   * A token for {@code scope}, e.g. {@code https://api.fabric.microsoft.com/.default}.
   *
   * @throws dev.kindling.core.error.AuthException if no token can be had
   */
  AccessToken token(String scope);

  /**
   * Forgets any cached token for {@code scope}, so the next {@link #token} call gets a fresh one.
   * Called after the platform rejects a token (HTTP 401). Does nothing by default.
   */
  default void invalidate(String scope) {}
}
