package dev.kindling.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * A fake {@link Scheduler} for tests: a clock that only moves when told to, and tasks that run only
 * when the clock passes their due time. Nothing ever sleeps for real, so retry and polling tests
 * run in milliseconds and always the same way (after OkHttp's {@code TaskFaker}).
 *
 * <h2>Threading model</h2>
 *
 * <ul>
 *   <li>Every method is thread-safe: any thread may {@link #schedule}, read {@link #now()} or
 *       cancel a task.
 *   <li>Time moves only in {@link #advance}, {@link #advanceTo}, {@link #runUntilIdle} and {@link
 *       #sleep}. Due tasks run <em>on the thread that moves time</em>, one at a time, in due-time
 *       order (ties in the order they were scheduled); while a task runs, {@link #now()} is its due
 *       time. Tasks scheduled by a running task run in the same call if they fall due before its
 *       end.
 *   <li>{@link #schedule} with a zero delay does not run the task at once: it runs at the next
 *       {@code advance} (even {@code advance(Duration.ZERO)}).
 *   <li>{@link #sleep} records the duration (see {@link #sleeps()}) and then advances the clock, on
 *       the calling thread. It is meant for single-threaded tests where the code under test runs on
 *       the test thread (a retrying HTTP call, say); a sleep on another thread moves the clock for
 *       everyone.
 *   <li>A task that throws stops the {@code advance} call that ran it with that exception; the
 *       remaining tasks stay queued.
 *   <li>Time never goes backwards.
 * </ul>
 */
public final class ManualScheduler implements Scheduler {
  /** Where the clock starts unless told otherwise: 2025-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

  private static final int MAX_TASKS_UNTIL_IDLE = 1_000_000;

  private final Object lock = new Object();
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(
          Comparator.comparing((Task t) -> t.due).thenComparingLong((Task t) -> t.sequence));
  private final List<Duration> sleeps = new ArrayList<>();
  private Instant now;
  private long nextSequence;

  /** A fake clock starting at {@link #DEFAULT_START}. */
  public ManualScheduler() {
    this(DEFAULT_START);
  }

  /** A fake clock starting at {@code start}. */
  public ManualScheduler(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  @Override
  public Instant now() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public ScheduledTask schedule(Runnable task, Duration delay) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(delay, "delay");
    synchronized (lock) {
      Task t =
          new Task(task, plus(now, delay.isNegative() ? Duration.ZERO : delay), nextSequence++);
      queue.add(t);
      return t;
    }
  }

  /**
   * Records the duration, then advances the clock by it, running the tasks that fall due, on the
   * calling thread. Never blocks.
   */
  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Duration d = duration.isNegative() ? Duration.ZERO : duration;
    synchronized (lock) {
      sleeps.add(d);
    }
    advance(d);
  }

  /** Moves the clock forward by {@code duration}, running every task that falls due on the way. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot advance by a negative duration: " + duration);
    }
    Instant target;
    synchronized (lock) {
      target = plus(now, duration);
    }
    advanceTo(target);
  }

  /**
   * Moves the clock forward to {@code target}, running every task due until then; does nothing to
   * the clock if {@code target} is in the past (but still runs tasks that are due now).
   */
  public void advanceTo(Instant target) {
    while (true) {
      Task next;
      synchronized (lock) {
        next = queue.peek();
        if (next == null || next.due.isAfter(target)) {
          if (target.isAfter(now)) {
            now = target;
          }
          return;
        }
        queue.poll();
        if (next.due.isAfter(now)) {
          now = next.due;
        }
      }
      next.run();
    }
  }

  /**
   * Runs tasks, moving the clock to each one's due time, until none is left.
   *
   * @return the number of tasks run
   * @throws IllegalStateException if tasks keep scheduling new tasks (more than a million run)
   */
  public int runUntilIdle() {
    int count = 0;
    while (true) {
      Task next;
      synchronized (lock) {
        next = queue.poll();
        if (next == null) {
          return count;
        }
        if (next.due.isAfter(now)) {
          now = next.due;
        }
      }
      if (++count > MAX_TASKS_UNTIL_IDLE) {
        throw new IllegalStateException(
            "still busy after " + MAX_TASKS_UNTIL_IDLE + " tasks; do tasks reschedule forever?");
      }
      next.run();
    }
  }

  /** The number of tasks scheduled and not yet run or cancelled. */
  public int pendingTasks() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** When the next pending task is due, if there is one. */
  public Optional<Instant> nextDueTime() {
    synchronized (lock) {
      Task t = queue.peek();
      return t == null ? Optional.empty() : Optional.of(t.due);
    }
  }

  /** Every duration passed to {@link #sleep}, in order. */
  public List<Duration> sleeps() {
    synchronized (lock) {
      return List.copyOf(sleeps);
    }
  }

  /** The sum of {@link #sleeps()}. */
  public Duration totalSlept() {
    synchronized (lock) {
      return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }
  }

  private static Instant plus(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (ArithmeticException | java.time.DateTimeException overflow) {
      return Instant.MAX;
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "ManualScheduler{now=" + now + ", pending=" + queue.size() + "}";
    }
  }

  private final class Task implements ScheduledTask {
    private final Runnable runnable;
    private final Instant due;
    private final long sequence;
    private boolean done;
    private boolean cancelled;

    Task(Runnable runnable, Instant due, long sequence) {
      this.runnable = runnable;
      this.due = due;
      this.sequence = sequence;
    }

    void run() {
      synchronized (lock) {
        if (done) {
          return;
        }
        done = true;
      }
      runnable.run();
    }

    @Override
    public boolean cancel() {
      synchronized (lock) {
        if (done) {
          return false;
        }
        done = true;
        cancelled = true;
        queue.remove(this);
        return true;
      }
    }

    @Override
    public boolean isDone() {
      synchronized (lock) {
        return done;
      }
    }

    @Override
    public boolean isCancelled() {
      synchronized (lock) {
        return cancelled;
      }
    }
  }
}
