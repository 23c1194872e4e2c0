package dev.kindling.core.http;

import dev.kindling.core.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Caches another provider's tokens per scope. A cached token is used until it is within the refresh
 * margin (5 minutes by default) of its expiry, or until {@link #invalidate} (after a 401).
 * Concurrent callers for one scope wait for a single fetch; different scopes do not wait for each
 * other.
 */
public final class CachingTokenProvider implements TokenProvider {
  /** How long before expiry a token is refreshed unless told otherwise. */
  public static final Duration DEFAULT_REFRESH_MARGIN = Duration.ofMinutes(5);

  private final TokenProvider delegate;
  private final Scheduler clock;
  private final Duration refreshMargin;
  private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

  /** Caches {@code delegate}'s tokens, refreshing them 5 minutes before expiry. */
  public CachingTokenProvider(TokenProvider delegate, Scheduler clock) {
    this(delegate, clock, DEFAULT_REFRESH_MARGIN);
  }

  /** Caches {@code delegate}'s tokens, refreshing them {@code refreshMargin} before expiry. */
  public CachingTokenProvider(TokenProvider delegate, Scheduler clock, Duration refreshMargin) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.refreshMargin = Objects.requireNonNull(refreshMargin, "refreshMargin");
    if (refreshMargin.isNegative()) {
      throw new IllegalArgumentException("refreshMargin must not be negative: " + refreshMargin);
    }
  }

  @Override
  public AccessToken token(String scope) {
    Objects.requireNonNull(scope, "scope");
    Slot slot = slots.computeIfAbsent(scope, s -> new Slot());
    synchronized (slot) {
      AccessToken cached = slot.token;
      if (cached != null && isFresh(cached, clock.now())) {
        return cached;
      }
      slot.token = null;
      AccessToken fresh = Objects.requireNonNull(delegate.token(scope), "token provider answer");
      slot.token = fresh;
      return fresh;
    }
  }

  @Override
  public void invalidate(String scope) {
    Slot slot = slots.get(scope);
    if (slot != null) {
      synchronized (slot) {
        slot.token = null;
      }
    }
    delegate.invalidate(scope);
  }

  private boolean isFresh(AccessToken token, Instant now) {
    Instant expiresAt = token.expiresAt();
    if (expiresAt.equals(Instant.MAX)) {
      return true;
    }
    return now.plus(refreshMargin).isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "CachingTokenProvider{" + delegate + "}";
  }

  private static final class Slot {
    private AccessToken token;
  }
}
