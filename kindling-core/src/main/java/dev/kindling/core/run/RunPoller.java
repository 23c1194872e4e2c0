package dev.kindling.core.run;

import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.error.TransientException;
import dev.kindling.core.time.ScheduledTask;
import dev.kindling.core.time.Scheduler;
import dev.kindling.core.time.SystemScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for runs to end, all of them on one {@link Scheduler}: thousands of concurrent waits cost a
 * handful of threads, never a thread per run. The one poller every platform uses; a platform
 * supplies only the {@link StatusSource}.
 *
 * <p>For each run it polls the source, calls {@code onChange} for the first status and every state
 * change after it (never twice for one state, never after the run ended), backs off while the state
 * stays the same, tolerates a few transient failures, honours a {@link ThrottledException}'s {@code
 * Retry-After}, and completes the returned future with the terminal status, or exceptionally at the
 * deadline ({@link TimedOutException} with the last status) or on a failure it does not tolerate.
 * {@link RunState#UNKNOWN} is not terminal: it keeps polling. Cancelling the returned future stops
 * polling that run.
 *
 * <p>Status fetches run on the fetch executor, or, when there is none, on the scheduler's thread
 * (with a {@link dev.kindling.core.time.ManualScheduler}: the thread that advances it). {@code
 * onChange} is called on the thread that fetched, one call at a time per run.
 *
 * <pre>{@code
 * try (RunPoller poller = RunPoller.create()) {
 *   JobStatus end =
 *       poller
 *           .watch(runId, platform::getJobStatus, PollOptions.defaults(), s -> log(s))
 *           .join();
 * }
 * }</pre>
 */
public final class RunPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunPoller.class);

  /** Threads of the fetch pool of {@link #create()}. */
  static final int FETCH_THREADS = 4;

  private static final RandomGenerator THREAD_LOCAL_RANDOM =
      () -> ThreadLocalRandom.current().nextLong();

  private final Scheduler scheduler;
  private final Executor fetchExecutor;
  private final ExecutorService ownedExecutor;
  private final RandomGenerator random;
  private final Set<Watch> active = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private RunPoller(
      Scheduler scheduler,
      Executor fetchExecutor,
      ExecutorService ownedExecutor,
      RandomGenerator random) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.fetchExecutor = fetchExecutor;
    this.ownedExecutor = ownedExecutor;
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * A poller on the {@link SystemScheduler} that fetches statuses on its own pool of {@value
   * #FETCH_THREADS} daemon threads ({@code kindling-poll-N}), since fetches block on HTTP. {@link
   * #close()} shuts the pool down.
   */
  public static RunPoller create() {
    AtomicInteger counter = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            FETCH_THREADS,
            r -> {
              Thread t = new Thread(r, "kindling-poll-" + counter.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return new RunPoller(SystemScheduler.get(), pool, pool, THREAD_LOCAL_RANDOM);
  }

  /**
   * A poller that fetches statuses on the scheduler's thread. Meant for a {@link
   * dev.kindling.core.time.ManualScheduler}, or for sources that do not block: a fetch blocking on
   * the shared {@link SystemScheduler} holds up every other scheduled task.
   */
  public RunPoller(Scheduler scheduler) {
    this(scheduler, null, null, THREAD_LOCAL_RANDOM);
  }

  /**
   * A poller that fetches statuses on {@code fetchExecutor} (not shut down by {@link #close()}).
   */
  public RunPoller(Scheduler scheduler, Executor fetchExecutor) {
    this(
        scheduler,
        Objects.requireNonNull(fetchExecutor, "fetchExecutor"),
        null,
        THREAD_LOCAL_RANDOM);
  }

  /**
   * As {@link #RunPoller(Scheduler, Executor)} with a given source of jitter.
   *
   * @param fetchExecutor where fetches run; null to run them on the scheduler's thread
   * @param random the source of jitter; must be thread-safe if the scheduler has several threads
   */
  public RunPoller(Scheduler scheduler, Executor fetchExecutor, RandomGenerator random) {
    this(scheduler, fetchExecutor, null, random);
  }

  /** As {@link #watch(String, StatusSource, PollOptions, Consumer)} without a listener. */
  public CompletableFuture<JobStatus> watch(
      String runId, StatusSource source, PollOptions options) {
    return watch(runId, source, options, status -> {});
  }

  /**
   * Starts waiting for a run to end.
   *
   * @param runId the run
   * @param source fetches its status
   * @param options how to poll
   * @param onChange called with the first status and each state change; an exception it throws is
   *     logged and ignored
   * @return completes with the terminal status; exceptionally with {@link TimedOutException} at the
   *     deadline, or with the source's exception when it fails otherwise than transiently or too
   *     often. Cancel it to stop polling.
   * @throws IllegalStateException if this poller is closed
   */
  public CompletableFuture<JobStatus> watch(
      String runId, StatusSource source, PollOptions options, Consumer<JobStatus> onChange) {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(onChange, "onChange");
    if (closed) {
      throw new IllegalStateException("this RunPoller is closed");
    }
    Watch watch = new Watch(runId, source, options, onChange);
    active.add(watch);
    watch.start();
    if (closed) { // closed while this watch was being added
      watch.future.cancel(false);
    }
    return watch.future;
  }

  /** The number of runs being waited for. */
  public int activeWatches() {
    return active.size();
  }

  /**
   * Stops every wait (their futures are cancelled; the runs themselves go on) and shuts down the
   * fetch pool if this poller made it.
   */
  @Override
  public void close() {
    closed = true;
    List<Watch> watches = new ArrayList<>(active);
    for (Watch w : watches) {
      w.future.cancel(false);
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
  }

  private Duration jittered(Duration d, double jitter) {
    if (jitter == 0.0) {
      return d;
    }
    return scaled(d, 1.0 + jitter * (2.0 * random.nextDouble() - 1.0));
  }

  private static Duration scaled(Duration d, double factor) {
    return Duration.ofNanos((long) (d.toNanos() * factor));
  }

  private final class Watch {
    final String runId;
    final StatusSource source;
    final PollOptions options;
    final Consumer<JobStatus> onChange;
    final CompletableFuture<JobStatus> future = new CompletableFuture<>();

    // guarded by this
    private RunState lastState;
    private JobStatus lastStatus;
    private Duration interval;
    private int failures;
    private boolean finished;
    private ScheduledTask next;
    private ScheduledTask deadlineTask;

    Watch(String runId, StatusSource source, PollOptions options, Consumer<JobStatus> onChange) {
      this.runId = runId;
      this.source = source;
      this.options = options;
      this.onChange = onChange;
      this.interval = options.interval();
    }

    void start() {
      synchronized (this) {
        options
            .deadline()
            .ifPresent(
                d ->
                    deadlineTask =
                        scheduler.schedule(this::onDeadline, between(scheduler.now(), d)));
        next = scheduler.schedule(this::tick, options.initialDelay());
      }
      future.whenComplete((status, failure) -> stop());
    }

    private void tick() {
      if (future.isDone()) {
        return;
      }
      if (fetchExecutor == null) {
        poll();
        return;
      }
      try {
        fetchExecutor.execute(this::poll);
      } catch (RejectedExecutionException e) {
        finish(null, e);
      }
    }

    private void poll() {
      if (future.isDone()) {
        return;
      }
      JobStatus status;
      try {
        status = Objects.requireNonNull(source.fetch(runId), "status source answered null");
      } catch (TransientException | ThrottledException e) {
        onTransientFailure(e);
        return;
      } catch (NotFoundException e) {
        // a run just submitted may not be visible yet (eventual consistency): until its first
        // status a "not found" counts as a tolerated failure; after that it is final
        if (neverSeen()) {
          onTransientFailure(e);
        } else {
          finish(null, e);
        }
        return;
      } catch (RuntimeException e) {
        finish(null, e);
        return;
      } catch (Error e) {
        finish(null, e);
        throw e;
      }
      onStatus(status);
    }

    private synchronized boolean neverSeen() {
      return lastStatus == null;
    }

    private void onStatus(JobStatus status) {
      boolean terminal;
      synchronized (this) {
        if (finished || future.isDone()) {
          return;
        }
        failures = 0;
        lastStatus = status;
        if (status.state() != lastState) {
          lastState = status.state();
          interval = options.interval();
          log.info(
              "{}: {}{}",
              runId,
              status.state(),
              status.platformState().isEmpty() ? "" : " (" + status.platformState() + ")");
          notifyChange(status);
        } else {
          interval = grown(interval);
        }
        terminal = status.isTerminal();
        if (terminal) {
          finished = true;
        } else {
          next = scheduler.schedule(this::tick, jittered(interval, options.jitter()));
        }
      }
      if (terminal) {
        future.complete(status);
      }
    }

    private void onTransientFailure(RuntimeException e) {
      boolean giveUp;
      synchronized (this) {
        if (finished || future.isDone()) {
          return;
        }
        failures++;
        giveUp = failures > options.maxConsecutiveFailures();
        if (giveUp) {
          finished = true;
        } else {
          interval = grown(interval);
          Duration delay = jittered(interval, options.jitter());
          if (e instanceof ThrottledException t && t.retryAfter().isPresent()) {
            // the platform's wait, plus up to the jitter fraction, so runs don't return at once
            Duration asked = t.retryAfter().get();
            delay = asked.plus(scaled(asked, options.jitter() * random.nextDouble()));
          }
          log.debug(
              "{}: status poll failed ({} of {} tolerated), next poll in {} ms: {}",
              runId,
              failures,
              options.maxConsecutiveFailures(),
              delay.toMillis(),
              e.getMessage());
          next = scheduler.schedule(this::tick, delay);
        }
      }
      if (giveUp) {
        future.completeExceptionally(e);
      }
    }

    private void onDeadline() {
      JobStatus last;
      synchronized (this) {
        if (finished || future.isDone()) {
          return;
        }
        finished = true;
        last = lastStatus;
      }
      String state = last == null ? "without a status yet" : "still " + last.state();
      future.completeExceptionally(
          new TimedOutException(
              runId
                  + " is "
                  + state
                  + " at the deadline "
                  + options.deadline().orElseThrow()
                  + "; the run goes on: wait again, or cancel it",
              last));
    }

    private void finish(JobStatus status, Throwable failure) {
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
      }
      if (failure != null) {
        future.completeExceptionally(failure);
      } else {
        future.complete(status);
      }
    }

    private void notifyChange(JobStatus status) {
      try {
        onChange.accept(status);
      } catch (RuntimeException e) {
        log.warn("{}: a state change listener failed", runId, e);
      }
    }

    private Duration grown(Duration d) {
      double nanos = d.toNanos() * options.backoffFactor();
      long max = options.maxInterval().toNanos();
      return Duration.ofNanos(nanos >= max ? max : (long) nanos);
    }

    private void stop() {
      synchronized (this) {
        finished = true;
        if (next != null) {
          next.cancel();
        }
        if (deadlineTask != null) {
          deadlineTask.cancel();
        }
      }
      active.remove(this);
    }
  }

  private static Duration between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
