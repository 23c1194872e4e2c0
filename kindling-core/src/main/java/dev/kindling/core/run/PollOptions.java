package dev.kindling.core.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link RunPoller} polls one run. Immutable; start from {@link #defaults()} and change
 * values with the {@code with*} methods.
 *
 * @param interval the wait between polls after a state change; default 5 s
 * @param maxInterval the longest wait between polls; default 30 s
 * @param backoffFactor how much the wait grows each time the state is unchanged (or a poll failed
 *     transiently), up to {@code maxInterval}; 1 keeps it constant; default 1.5
 * @param deadline when to stop waiting with a {@link dev.kindling.core.error.TimedOutException};
 *     default none
 * @param jitter the random spread of each wait, as a fraction: 0.1 makes a 10 s wait anything from
 *     9 s to 11 s; default 0.1
 * @param maxConsecutiveFailures how many transient failures in a row (a {@code TransientException}
 *     or {@code ThrottledException}) are tolerated; the next one ends the wait; default 5
 * @param initialDelay the wait before the first poll (Fabric asks for about a minute); default 0
 */
public record PollOptions(
    Duration interval,
    Duration maxInterval,
    double backoffFactor,
    Optional<Instant> deadline,
    double jitter,
    int maxConsecutiveFailures,
    Duration initialDelay) {

  private static final PollOptions DEFAULTS =
      new PollOptions(
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          1.5,
          Optional.empty(),
          0.1,
          5,
          Duration.ZERO);

  public PollOptions {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(maxInterval, "maxInterval");
    Objects.requireNonNull(initialDelay, "initialDelay");
    deadline = deadline == null ? Optional.empty() : deadline;
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    if (maxInterval.compareTo(interval) < 0) {
      throw new IllegalArgumentException(
          "maxInterval (" + maxInterval + ") must not be less than interval (" + interval + ")");
    }
    if (!(backoffFactor >= 1.0) || Double.isInfinite(backoffFactor)) {
      throw new IllegalArgumentException("backoffFactor must be at least 1: " + backoffFactor);
    }
    if (!(jitter >= 0.0 && jitter < 1.0)) {
      throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
    }
    if (maxConsecutiveFailures < 0) {
      throw new IllegalArgumentException(
          "maxConsecutiveFailures must not be negative: " + maxConsecutiveFailures);
    }
    if (initialDelay.isNegative()) {
      throw new IllegalArgumentException("initialDelay must not be negative: " + initialDelay);
    }
  }

  /** 5 s, growing ×1.5 up to 30 s while unchanged, ±10 % jitter, 5 failures tolerated. */
  public static PollOptions defaults() {
    return DEFAULTS;
  }

  /** With this interval (and the max interval raised to it if it was lower). */
  public PollOptions withInterval(Duration interval) {
    Duration max = maxInterval.compareTo(interval) < 0 ? interval : maxInterval;
    return new PollOptions(
        interval, max, backoffFactor, deadline, jitter, maxConsecutiveFailures, initialDelay);
  }

  /** With this max interval. */
  public PollOptions withMaxInterval(Duration maxInterval) {
    return new PollOptions(
        interval,
        maxInterval,
        backoffFactor,
        deadline,
        jitter,
        maxConsecutiveFailures,
        initialDelay);
  }

  /** With this backoff factor; 1 polls at a constant interval. */
  public PollOptions withBackoffFactor(double backoffFactor) {
    return new PollOptions(
        interval,
        maxInterval,
        backoffFactor,
        deadline,
        jitter,
        maxConsecutiveFailures,
        initialDelay);
  }

  /** With this deadline. */
  public PollOptions withDeadline(Instant deadline) {
    return new PollOptions(
        interval,
        maxInterval,
        backoffFactor,
        Optional.of(deadline),
        jitter,
        maxConsecutiveFailures,
        initialDelay);
  }

  /** Without a deadline. */
  public PollOptions withoutDeadline() {
    return new PollOptions(
        interval,
        maxInterval,
        backoffFactor,
        Optional.empty(),
        jitter,
        maxConsecutiveFailures,
        initialDelay);
  }

  /** With this jitter fraction; 0 makes waits exact. */
  public PollOptions withJitter(double jitter) {
    return new PollOptions(
        interval,
        maxInterval,
        backoffFactor,
        deadline,
        jitter,
        maxConsecutiveFailures,
        initialDelay);
  }

  /** Tolerating this many transient failures in a row. */
  public PollOptions withMaxConsecutiveFailures(int maxConsecutiveFailures) {
    return new PollOptions(
        interval,
        maxInterval,
        backoffFactor,
        deadline,
        jitter,
        maxConsecutiveFailures,
        initialDelay);
  }

  /** Waiting this long before the first poll. */
  public PollOptions withInitialDelay(Duration initialDelay) {
    return new PollOptions(
        interval,
        maxInterval,
        backoffFactor,
        deadline,
        jitter,
        maxConsecutiveFailures,
        initialDelay);
  }
}
