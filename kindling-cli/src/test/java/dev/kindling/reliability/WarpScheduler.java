package dev.kindling.reliability;

import dev.kindling.core.time.ScheduledTask;
import dev.kindling.core.time.Scheduler;
import dev.kindling.core.time.SystemScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Fake time for retry waits that still lets the emulated runs proceed in real time: {@link #sleep}
 * records the wait and moves this clock forward at once; {@link #schedule} runs tasks for real
 * after at most a few milliseconds. Thread-safe.
 */
final class WarpScheduler implements Scheduler {
  private static final Duration MAX_REAL_DELAY = Duration.ofMillis(5);

  private final List<Duration> sleeps = new ArrayList<>();
  private Duration offset = Duration.ZERO;

  @Override
  public synchronized Instant now() {
    return Instant.now().plus(offset);
  }

  @Override
  public ScheduledTask schedule(Runnable task, Duration delay) {
    Duration real = delay.compareTo(MAX_REAL_DELAY) > 0 ? MAX_REAL_DELAY : delay;
    return SystemScheduler.get().schedule(task, real);
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    synchronized (this) {
      if (duration.isNegative() || duration.isZero()) {
        return;
      }
      sleeps.add(duration);
      offset = offset.plus(duration);
    }
    Thread.yield();
  }

  /** Every wait so far, in order. */
  synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  /** The sum of all waits. */
  synchronized Duration slept() {
    return offset;
  }
}
