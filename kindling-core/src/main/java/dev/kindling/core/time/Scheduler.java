package dev.kindling.core.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The source of time for retries, token expiry and run polling: what time it is, run something
 * later, wait. Injected everywhere time matters, so tests can replace it with a {@link
 * ManualScheduler}.
 *
 * <p>Scheduled tasks must be short and must not block: implementations run them on a handful of
 * shared threads.
 */
public interface Scheduler {
  /** The current instant. */
  Instant now();

  /**
   * Runs {@code task} once, after {@code delay} (zero or negative: as soon as possible).
   *
   * @return a handle to cancel the task before it runs
   */
  ScheduledTask schedule(Runnable task, Duration delay);

  /**
   * Waits for {@code duration} on the calling thread (zero or negative: returns at once).
   *
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
