package dev.kindling.core.http;

import dev.kindling.core.config.Secret;
import java.time.Instant;
import java.util.Objects;

/**
 * A bearer token and when it expires. Its {@code toString()} never shows the token.
 *
 * @param value the token
 * @param expiresAt when the platform stops accepting it ({@link Instant#MAX} if never)
 */
public record AccessToken(Secret value, Instant expiresAt) {
  public AccessToken {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** A token that never expires (a personal access token, an emulator's token). */
  public static AccessToken nonExpiring(Secret value) {
    return new AccessToken(value, Instant.MAX);
  }
}
