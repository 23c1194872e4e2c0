package dev.kindling.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time {@link Scheduler}: the system clock, {@link Thread#sleep} and one JVM-wide {@link
 * ScheduledThreadPoolExecutor} with {@value #THREADS} daemon threads named {@code
 * kindling-scheduler-N}. The threads never keep the JVM alive and are never shut down.
 *
 * <p>Tasks run on those few shared threads, so they must not block; a task that throws is logged
 * and does not affect other tasks.
 */
public final class SystemScheduler implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(SystemScheduler.class);

  /** The number of scheduler threads shared by the whole JVM. */
  static final int THREADS = 2;

  private static final SystemScheduler INSTANCE = new SystemScheduler();

  private final ScheduledThreadPoolExecutor executor;

  private SystemScheduler() {
    AtomicInteger counter = new AtomicInteger();
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            THREADS,
            r -> {
              Thread t = new Thread(r, "kindling-scheduler-" + counter.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true);
    this.executor = e;
  }

  /** The shared instance. */
  public static SystemScheduler get() {
    return INSTANCE;
  }

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public ScheduledTask schedule(Runnable task, Duration delay) {
    Runnable guarded =
        () -> {
          try {
            task.run();
          } catch (RuntimeException | Error e) {
            log.warn("A scheduled task failed", e);
          }
        };
    ScheduledFuture<?> future =
        executor.schedule(guarded, saturatedNanos(delay), TimeUnit.NANOSECONDS);
    return new ScheduledTask() {
      @Override
      public boolean cancel() {
        return future.cancel(false);
      }

      @Override
      public boolean isDone() {
        return future.isDone();
      }

      @Override
      public boolean isCancelled() {
        return future.isCancelled();
      }
    };
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    long nanos = saturatedNanos(duration);
    if (nanos > 0) {
      TimeUnit.NANOSECONDS.sleep(nanos);
    }
  }

  private static long saturatedNanos(Duration d) {
    if (d.isNegative()) {
      return 0;
    }
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public String toString() {
    return "SystemScheduler";
  }
}
