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
import java.util.Map;
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
 * <h2>Runs whose statuses can be listed together</h2>
 *
 * <p>When the source is a {@link BatchStatusSource} and it gives a run a {@link
 * BatchStatusSource#batchKey batch key}, the run joins the group of runs with the same source
 * instance and key, and the group asks for all its runs' statuses with one {@link
 * BatchStatusSource#fetchAll} per tick: a wait on 1,000 runs of one job costs one listing (a few
 * pages) per interval, not 1,000 requests. Per run, everything above still holds (the {@code
 * onChange} calls, the deadline, the initial delay before the run joins the group's ticks, "not
 * found" before the first status, cancelling). The group's cadence:
 *
 * <ul>
 *   <li>the next tick is due one base interval (the smallest {@link PollOptions#interval()} of its
 *       runs) after the last one was due when, since the tick before, a run's state changed, a run
 *       joined or one ended; otherwise the interval grows by the backoff factor up to the max
 *       interval, jittered as for a single run. A run that joins a backed-off group is polled
 *       within its own interval; runs that join while a listing is under way get another listing
 *       right after it (so a burst of new runs gets its first statuses at once); a group of one run
 *       polls exactly as a single run does.
 *   <li>runs the listing leaves out are fetched on their own with {@link StatusSource#fetch} in the
 *       same tick (side by side on the fetch executor), failures handled as for a single run; the
 *       next tick waits for them.
 *   <li>a {@link TransientException} or {@link ThrottledException} from {@code fetchAll} is a
 *       failed poll of every run in the group (each gives up after its {@link
 *       PollOptions#maxConsecutiveFailures()}); the group backs off and honours a {@code
 *       Retry-After}.
 *   <li>any other exception from {@code fetchAll} ({@link UnsupportedOperationException}, say) is
 *       logged at DEBUG and the group's runs, and runs that join it later, are polled one at a time
 *       from then on.
 * </ul>
 *
 * <p>Runs without a key, and sources that are not a {@code BatchStatusSource}, are polled on their
 * own as above. A platform opts in by implementing {@link
 * dev.kindling.core.spi.PlatformService#statusBatchKey} and {@link
 * dev.kindling.core.spi.PlatformService#getJobStatuses}; {@code DataAppDeployer} hands the poller a
 * {@code BatchStatusSource} over them.
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
  private final Map<GroupKey, PollGroup> groups = new ConcurrentHashMap<>();
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
    return jittered(d, jitter, random);
  }

  /** {@code d} spread by up to ± the jitter fraction. */
  static Duration jittered(Duration d, double jitter, RandomGenerator random) {
    if (jitter == 0.0) {
      return d;
    }
    return scaled(d, 1.0 + jitter * (2.0 * random.nextDouble() - 1.0));
  }

  /** The platform's wait, plus up to the jitter fraction, so runs don't return at once. */
  static Duration retryDelay(Duration asked, double jitter, RandomGenerator random) {
    return asked.plus(scaled(asked, jitter * random.nextDouble()));
  }

  /** {@code d} times the backoff factor, at most {@code max}. */
  static Duration grown(Duration d, double factor, Duration max) {
    double nanos = d.toNanos() * factor;
    long cap = max.toNanos();
    return Duration.ofNanos(nanos >= cap ? cap : (long) nanos);
  }

  private static Duration scaled(Duration d, double factor) {
    return Duration.ofNanos((long) (d.toNanos() * factor));
  }

  /** The key of a {@link PollGroup}: the source instance (by identity) and its batch key. */
  private record GroupKey(BatchStatusSource source, String batchKey) {
    @Override
    public boolean equals(Object o) {
      return o instanceof GroupKey k && k.source == source && k.batchKey.equals(batchKey);
    }

    @Override
    public int hashCode() {
      return 31 * System.identityHashCode(source) + batchKey.hashCode();
    }
  }

  /** Forgets an idle group (called by the group when a tick ends with nobody left). */
  private void forget(GroupKey key, PollGroup idle) {
    groups.computeIfPresent(key, (k, g) -> g == idle && g.isForgettable() ? null : g);
  }

  /** The group this run's status can be listed with, if any. */
  private static GroupKey groupKey(String runId, StatusSource source) {
    if (!(source instanceof BatchStatusSource batch)) {
      return null;
    }
    try {
      return batch.batchKey(runId).map(k -> new GroupKey(batch, k)).orElse(null);
    } catch (RuntimeException e) {
      log.debug("{}: no batch key ({}); polled on its own", runId, e.toString());
      return null;
    }
  }

  private final class Watch implements PollGroup.Member {
    final String runId;
    final StatusSource source;
    final PollOptions options;
    final Consumer<JobStatus> onChange;
    final CompletableFuture<JobStatus> future = new CompletableFuture<>();

    /** The group it is polled with; null when it is polled on its own from the start. */
    final GroupKey groupKey;

    // guarded by this
    private RunState lastState;
    private JobStatus lastStatus;
    private boolean foundAlone; // its own fetch has answered with a status
    private Duration interval;
    private int failures;
    private boolean finished;

    /** True while its group polls it; false when it polls itself (next, interval). */
    private boolean grouped;

    private ScheduledTask next;
    private ScheduledTask deadlineTask;

    Watch(String runId, StatusSource source, PollOptions options, Consumer<JobStatus> onChange) {
      this.runId = runId;
      this.source = source;
      this.options = options;
      this.onChange = onChange;
      this.interval = options.interval();
      this.groupKey = groupKey(runId, source);
      this.grouped = groupKey != null;
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public PollOptions options() {
      return options;
    }

    @Override
    public boolean isDone() {
      return future.isDone();
    }

    void start() {
      boolean joinNow = false;
      synchronized (this) {
        options
            .deadline()
            .ifPresent(
                d ->
                    deadlineTask =
                        scheduler.schedule(this::onDeadline, between(scheduler.now(), d)));
        if (groupKey == null) {
          next = scheduler.schedule(this::tick, options.initialDelay());
        } else if (options.initialDelay().isZero()) {
          joinNow = true;
        } else {
          next = scheduler.schedule(this::join, options.initialDelay());
        }
      }
      if (joinNow) {
        join();
      }
      future.whenComplete((status, failure) -> stop());
    }

    /** Joins its group's ticks; polls alone if the group fell back to that. */
    private void join() {
      if (future.isDone()) {
        return;
      }
      boolean[] joined = {true};
      groups.compute(
          groupKey,
          (k, g) -> {
            PollGroup group =
                g != null
                    ? g
                    : new PollGroup(
                        k.source(),
                        k.batchKey(),
                        scheduler,
                        fetchExecutor,
                        random,
                        idle -> forget(k, idle));
            joined[0] = group.join(this);
            return group.isForgettable() ? null : group;
          });
      if (!joined[0]) {
        pollAlone();
      }
    }

    @Override
    public void pollAlone() {
      synchronized (this) {
        if (finished || future.isDone()) {
          return;
        }
        grouped = false;
        interval = options.interval();
        next = scheduler.schedule(this::tick, Duration.ZERO);
      }
    }

    private void tick() {
      if (future.isDone()) {
        return;
      }
      if (fetchExecutor == null) {
        fetchAlone();
        return;
      }
      try {
        fetchExecutor.execute(this::fetchAlone);
      } catch (RejectedExecutionException e) {
        finish(null, e);
      }
    }

    @Override
    public PollGroup.Effect fetchAlone() {
      if (future.isDone()) {
        return PollGroup.Effect.NONE;
      }
      JobStatus status;
      try {
        status = Objects.requireNonNull(source.fetch(runId), "status source answered null");
      } catch (TransientException | ThrottledException e) {
        return failed(e);
      } catch (NotFoundException e) {
        // a run just submitted may not be visible yet (eventual consistency): until its own
        // status request has found it once, a "not found" counts as a tolerated failure; after
        // that it is final. A listing that showed the run does not count: a platform's list and
        // get may be served from different replicas, the list ahead of the get
        if (neverFoundAlone()) {
          return failed(e);
        }
        return finish(null, e);
      } catch (RuntimeException e) {
        return finish(null, e);
      } catch (Error e) {
        finish(null, e);
        throw e;
      }
      synchronized (this) {
        foundAlone = true;
      }
      return accept(status);
    }

    private synchronized boolean neverFoundAlone() {
      return !foundAlone;
    }

    @Override
    public PollGroup.Effect accept(JobStatus status) {
      boolean terminal;
      boolean changed;
      synchronized (this) {
        if (finished || future.isDone()) {
          return PollGroup.Effect.NONE;
        }
        failures = 0;
        lastStatus = status;
        changed = status.state() != lastState;
        if (changed) {
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
        } else if (!grouped) {
          next = scheduler.schedule(this::tick, jittered(interval, options.jitter()));
        }
      }
      if (terminal) {
        end(status, null);
        return PollGroup.Effect.ENDED;
      }
      return changed ? PollGroup.Effect.CHANGED : PollGroup.Effect.NONE;
    }

    @Override
    public PollGroup.Effect failed(RuntimeException e) {
      boolean giveUp;
      synchronized (this) {
        if (finished || future.isDone()) {
          return PollGroup.Effect.NONE;
        }
        failures++;
        giveUp = failures > options.maxConsecutiveFailures();
        if (giveUp) {
          finished = true;
        } else if (grouped) {
          log.debug(
              "{}: status poll failed ({} of {} tolerated): {}",
              runId,
              failures,
              options.maxConsecutiveFailures(),
              e.getMessage());
        } else {
          interval = grown(interval);
          Duration delay = jittered(interval, options.jitter());
          if (e instanceof ThrottledException t && t.retryAfter().isPresent()) {
            delay = retryDelay(t.retryAfter().get(), options.jitter(), random);
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
        end(null, e);
        return PollGroup.Effect.ENDED;
      }
      return PollGroup.Effect.NONE;
    }

    @Override
    public void fail(Throwable e) {
      finish(null, e);
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
      end(
          null,
          new TimedOutException(
              runId
                  + " is "
                  + state
                  + " at the deadline "
                  + options.deadline().orElseThrow()
                  + "; the run goes on: wait again, or cancel it",
              last));
    }

    private PollGroup.Effect finish(JobStatus status, Throwable failure) {
      synchronized (this) {
        if (finished) {
          return PollGroup.Effect.NONE;
        }
        finished = true;
      }
      end(status, failure);
      return PollGroup.Effect.ENDED;
    }

    /** Completes the future; the wait leaves {@link #activeWatches()} first. */
    private void end(JobStatus status, Throwable failure) {
      active.remove(this); // before the future: a caller woken by it counts no more
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
      return RunPoller.grown(d, options.backoffFactor(), options.maxInterval());
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
      if (groupKey != null) {
        groups.computeIfPresent(groupKey, (k, g) -> g.leave(this) ? null : g);
      }
      active.remove(this);
    }
  }

  private static Duration between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
