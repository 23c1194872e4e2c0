package dev.kindling.core.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLException;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * When and how often {@link RetryInterceptor} retries. Immutable; build with {@link #builder()} or
 * start from {@link #defaults()}.
 *
 * <p>Deciding <em>whether</em> to retry ({@link #isRetryable(Request)}, {@link
 * #retriesStatus(int)}, {@link #retriesFailure(IOException)}) is kept apart from computing
 * <em>when</em> ({@link #delay}): a {@code Retry-After} the server sent first, capped by {@link
 * #maxDelay()}; otherwise exponential backoff from {@link #baseDelay()} with full jitter. The
 * interceptor additionally keeps every wait inside {@link #maxTotalTime()}.
 *
 * @param maxAttempts attempts in all, the first one included (1 = never retry); default 6
 * @param baseDelay the backoff ceiling of the first retry, doubled for each further one; default 1
 *     s
 * @param maxDelay the longest single wait, also for a longer {@code Retry-After}; default 60 s
 * @param maxTotalTime no wait ends later than this after the first attempt started: a backoff is
 *     shortened to fit, and a {@code Retry-After} that does not fit ends the retries (retrying
 *     sooner than asked would only be refused again); default 5 min
 * @param jitter full jitter: a backoff is uniformly random between zero and its ceiling; default on
 * @param retryStatuses the HTTP statuses that are retried; default 429, 502, 503, 504. Add 500 only
 *     for a platform whose 500s are known to be transient.
 * @param retryConnectionFailures retry refused connections, resets and read timeouts; default on
 */
public record RetryPolicy(
    int maxAttempts,
    Duration baseDelay,
    Duration maxDelay,
    Duration maxTotalTime,
    boolean jitter,
    Set<Integer> retryStatuses,
    boolean retryConnectionFailures) {

  /** The methods retried without a {@link RetrySafe} tag. */
  public static final Set<String> IDEMPOTENT_METHODS =
      Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

  private static final RetryPolicy DEFAULTS = builder().build();

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    requireNotNegative(baseDelay, "baseDelay");
    requireNotNegative(maxDelay, "maxDelay");
    requireNotNegative(maxTotalTime, "maxTotalTime");
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay (" + maxDelay + ") must not be less than baseDelay (" + baseDelay + ")");
    }
    Objects.requireNonNull(retryStatuses, "retryStatuses");
    for (Integer status : retryStatuses) {
      if (status == null || status < 400 || status > 599) {
        throw new IllegalArgumentException("retryStatuses must be 4xx or 5xx: " + status);
      }
    }
    retryStatuses = Set.copyOf(retryStatuses);
  }

  /** 6 attempts, 1 s base, 60 s cap, 5 min budget, full jitter, 429/502/503/504, IO failures. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** A policy that never retries. */
  public static RetryPolicy none() {
    return builder().maxAttempts(1).build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this policy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Whether {@code request} may be sent again at all: its method is idempotent or it is tagged
   * {@link RetrySafe}, and its body (if any) can be sent twice.
   */
  public boolean isRetryable(Request request) {
    RequestBody body = request.body();
    if (body != null && (body.isOneShot() || body.isDuplex())) {
      return false;
    }
    return IDEMPOTENT_METHODS.contains(request.method().toUpperCase(Locale.ROOT))
        || request.tag(RetrySafe.class) != null;
  }

  /** Whether a response with this status is worth retrying (for a retryable request). */
  public boolean retriesStatus(int status) {
    return retryStatuses.contains(status);
  }

  /**
   * Whether this failure to get a response is worth retrying (for a retryable request): refused
   * connections, resets, read and connect timeouts and truncated responses are; unknown hosts,
   * certificate and protocol errors, cancelled calls and the call timeout are not.
   */
  public boolean retriesFailure(IOException failure) {
    if (!retryConnectionFailures) {
      return false;
    }
    if (failure instanceof SocketTimeoutException) {
      return true; // connect or read timeout
    }
    if (failure instanceof InterruptedIOException) {
      return false; // the call timeout, or an interrupted thread
    }
    if (failure instanceof UnknownHostException || failure instanceof ProtocolException) {
      return false;
    }
    if (failure instanceof SSLException) {
      // a handshake or certificate problem won't go away; a reset under TLS will
      return failure.getCause() instanceof SocketException
          || failure.getCause() instanceof EOFException;
    }
    return !"Canceled".equals(failure.getMessage());
  }

  /**
   * How long to wait before retry number {@code retry} (1 for the first retry).
   *
   * @param retryAfter what the server asked for, if anything; used first, capped at {@link
   *     #maxDelay()}
   * @param random the source of jitter
   */
  public Duration delay(int retry, Optional<Duration> retryAfter, RandomGenerator random) {
    if (retryAfter.isPresent()) {
      return min(retryAfter.get(), maxDelay);
    }
    return backoff(retry, random);
  }

  /**
   * Exponential backoff with full jitter: a ceiling of {@code baseDelay × 2^(retry-1)}, at most
   * {@link #maxDelay()}; with jitter a uniformly random wait between zero and that ceiling.
   */
  public Duration backoff(int retry, RandomGenerator random) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry numbers start at 1: " + retry);
    }
    long baseNanos = baseDelay.toNanos();
    long maxNanos = maxDelay.toNanos();
    int shift = Math.min(retry - 1, 62);
    long ceiling =
        baseNanos > (maxNanos >> shift) ? maxNanos : Math.min(baseNanos << shift, maxNanos);
    if (!jitter || ceiling == 0) {
      return Duration.ofNanos(ceiling);
    }
    return Duration.ofNanos(random.nextLong(ceiling + 1));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void requireNotNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + d);
    }
  }

  /** Builds a {@link RetryPolicy}; starts from the defaults. */
  public static final class Builder {
    private int maxAttempts = 6;
    private Duration baseDelay = Duration.ofSeconds(1);
    private Duration maxDelay = Duration.ofSeconds(60);
    private Duration maxTotalTime = Duration.ofMinutes(5);
    private boolean jitter = true;
    private final Set<Integer> retryStatuses = new TreeSet<>(Set.of(429, 502, 503, 504));
    private boolean retryConnectionFailures = true;

    private Builder() {}

    private Builder(RetryPolicy p) {
      maxAttempts = p.maxAttempts;
      baseDelay = p.baseDelay;
      maxDelay = p.maxDelay;
      maxTotalTime = p.maxTotalTime;
      jitter = p.jitter;
      retryStatuses.clear();
      retryStatuses.addAll(p.retryStatuses);
      retryConnectionFailures = p.retryConnectionFailures;
    }

    /** Attempts in all, the first one included; 1 never retries. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The backoff ceiling of the first retry. */
    public Builder baseDelay(Duration baseDelay) {
      this.baseDelay = baseDelay;
      return this;
    }

    /** The longest single wait, {@code Retry-After} included. */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
      return this;
    }

    /** The time budget of one call with all its retries. */
    public Builder maxTotalTime(Duration maxTotalTime) {
      this.maxTotalTime = maxTotalTime;
      return this;
    }

    /** Full jitter on (default) or off (plain exponential backoff). */
    public Builder jitter(boolean jitter) {
      this.jitter = jitter;
      return this;
    }

    /** Replaces the set of retried statuses. */
    public Builder retryStatuses(Collection<Integer> statuses) {
      retryStatuses.clear();
      retryStatuses.addAll(statuses);
      return this;
    }

    /** Adds retried statuses, e.g. 500 for a platform whose 500s are transient. */
    public Builder addRetryStatus(int... statuses) {
      for (int s : statuses) {
        retryStatuses.add(s);
      }
      return this;
    }

    /** Whether refused connections, resets and read timeouts are retried (default yes). */
    public Builder retryConnectionFailures(boolean retryConnectionFailures) {
      this.retryConnectionFailures = retryConnectionFailures;
      return this;
    }

    /** The policy; throws {@link IllegalArgumentException} if a value is out of range. */
    public RetryPolicy build() {
      return new RetryPolicy(
          maxAttempts,
          baseDelay,
          maxDelay,
          maxTotalTime,
          jitter,
          retryStatuses,
          retryConnectionFailures);
    }
  }
}
