package dev.kindling.core.http;

import dev.kindling.core.config.Secret;
import java.util.Objects;

/**
 * Always the same token, whatever the scope: a personal access token, or an emulator's token in
 * tests. The token never expires as far as Kindling is concerned.
 */
public final class StaticTokenProvider implements TokenProvider {
  private final AccessToken token;

  private StaticTokenProvider(AccessToken token) {
    this.token = token;
  }

  /** A provider that always answers {@code token}. */
  public static StaticTokenProvider of(Secret token) {
    return new StaticTokenProvider(AccessToken.nonExpiring(Objects.requireNonNull(token, "token")));
  }

  /** A provider that always answers {@code token}. */
  public static StaticTokenProvider of(AccessToken token) {
    return new StaticTokenProvider(Objects.requireNonNull(token, "token"));
  }

  @Override
  public AccessToken token(String scope) {
    return token;
  }

  @Override
  public String toString() {
    return "StaticTokenProvider";
  }
}
