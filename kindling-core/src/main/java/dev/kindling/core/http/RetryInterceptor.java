package dev.kindling.core.http;

import dev.kindling.core.error.TransientException;
import dev.kindling.core.time.Scheduler;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a call according to a {@link RetryPolicy}, waiting on an injected {@link Scheduler} (so
 * tests wait on a {@link dev.kindling.core.time.ManualScheduler} and take milliseconds).
 *
 * <p>An application interceptor; install it outside {@link AuthInterceptor} so that every attempt
 * gets a current token. Only requests the policy calls {@linkplain RetryPolicy#isRetryable(Request)
 * retryable} are retried. Bodies of responses it retries are closed.
 *
 * <p>When attempts or time run out on a retried status (429, 503, ...) it returns the last
 * response, for the caller to map with {@link HttpErrors}. When they run out on a connection
 * failure it throws {@link TransientException} saying how many attempts were made. A failure it
 * does not retry (a POST, an unknown host) is passed on unchanged.
 *
 * <p>Each retry is logged with the method, the URL path with its query redacted, and the delay: at
 * INFO for throttling (429), at DEBUG otherwise. Headers are never logged here.
 */
public final class RetryInterceptor implements Interceptor {
  private static final Logger log = LoggerFactory.getLogger(RetryInterceptor.class);

  /** Thread-safe full jitter for production use. */
  static final RandomGenerator THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();

  private final RetryPolicy policy;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final String platform;

  /** Retries per {@code policy}, waiting on {@code scheduler}, with thread-local random jitter. */
  public RetryInterceptor(RetryPolicy policy, Scheduler scheduler) {
    this(policy, scheduler, THREAD_LOCAL_RANDOM, null);
  }

  /**
   * Retries per {@code policy}, waiting on {@code scheduler}.
   *
   * @param random the source of jitter; it must be thread-safe if the client is used by several
   *     threads at once
   * @param platform the platform id to put into exceptions; may be null
   */
  public RetryInterceptor(
      RetryPolicy policy, Scheduler scheduler, RandomGenerator random, String platform) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.platform = platform;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    boolean retryable = policy.isRetryable(request);
    Instant start = scheduler.now();
    Instant budgetEnd = start.plus(policy.maxTotalTime());
    for (int attempt = 1; ; attempt++) {
      Response response;
      try {
        response = chain.proceed(request);
      } catch (IOException e) {
        if (!retryable || !policy.retriesFailure(e) || chain.call().isCanceled()) {
          throw e;
        }
        Duration remaining = remaining(budgetEnd);
        if (attempt >= policy.maxAttempts() || remaining.isZero()) {
          throw exhausted(request, attempt, start, e);
        }
        Duration delay = min(policy.backoff(attempt, random), remaining);
        logRetry(request, attempt, delay, failureText(e), false);
        pause(delay, chain);
        continue;
      }

      int status = response.code();
      // A 429 means the service turned the request away unprocessed, so even a create or a run
      // submission may be sent again (when its body can be): no duplicate can come of it.
      boolean resendable = retryable || (status == 429 && bodyRepeatable(request));
      if (!resendable || !policy.retriesStatus(status)) {
        return response;
      }
      if (attempt >= policy.maxAttempts()) {
        logGiveUp(request, status, attempt, "attempts");
        return response;
      }
      Optional<Duration> retryAfter = RetryAfter.from(response, scheduler.now());
      Duration delay = policy.delay(attempt, retryAfter, random);
      Duration remaining = remaining(budgetEnd);
      if (delay.compareTo(remaining) > 0) {
        if (retryAfter.isPresent() || remaining.isZero()) {
          // retrying sooner than the server asked would only be refused again
          logGiveUp(request, status, attempt, "time");
          return response;
        }
        delay = remaining;
      }
      response.close();
      logRetry(request, attempt, delay, "HTTP " + status, status == 429);
      pause(delay, chain);
    }
  }

  private static boolean bodyRepeatable(Request request) {
    okhttp3.RequestBody body = request.body();
    return body == null || !(body.isOneShot() || body.isDuplex());
  }

  private Duration remaining(Instant budgetEnd) {
    Duration d = Duration.between(scheduler.now(), budgetEnd);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private void pause(Duration delay, Chain chain) throws IOException {
    try {
      scheduler.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry");
    }
    if (chain.call().isCanceled()) {
      throw new IOException("Canceled");
    }
  }

  private TransientException exhausted(
      Request request, int attempts, Instant start, IOException last) {
    Duration took = Duration.between(start, scheduler.now());
    String message =
        request.method()
            + " "
            + Redaction.pathAndQuery(request.url())
            + (platform == null ? "" : " on " + platform)
            + " failed after "
            + attempts
            + (attempts == 1 ? " attempt" : " attempts")
            + " in "
            + seconds(took)
            + ": "
            + failureText(last)
            + "; check the network and the target's endpoint, or try again later";
    return new TransientException(message, last, platform, null, null, null);
  }

  private void logRetry(
      Request request, int attempt, Duration delay, String reason, boolean throttled) {
    if (throttled ? log.isInfoEnabled() : log.isDebugEnabled()) {
      String line =
          String.format(
              "Retrying %s %s after %s in %s (attempt %d of %d)",
              request.method(),
              Redaction.pathAndQuery(request.url()),
              reason,
              seconds(delay),
              attempt + 1,
              policy.maxAttempts());
      if (throttled) {
        log.info(line);
      } else {
        log.debug(line);
      }
    }
  }

  private void logGiveUp(Request request, int status, int attempts, String exhausted) {
    if (log.isDebugEnabled()) {
      log.debug(
          "Not retrying {} {} after HTTP {}: out of retry {} ({} attempts)",
          request.method(),
          Redaction.pathAndQuery(request.url()),
          status,
          exhausted,
          attempts);
    }
  }

  private static String failureText(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
