package dev.kindling.core.run;

import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.error.TransientException;
import dev.kindling.core.time.ScheduledTask;
import dev.kindling.core.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs of one {@link RunPoller} that share a {@link BatchStatusSource} and a batch key, polled
 * together: one {@link BatchStatusSource#fetchAll} per tick answers them all.
 *
 * <p>Cadence: the next tick is due one base interval (the smallest {@link PollOptions#interval()}
 * of the members) after the last one was due when, since the tick before, a member's state changed,
 * a member joined or one ended; otherwise the group's interval grows by the backoff factor up to
 * the max interval (the smallest of the members'). Waits are jittered as a single run's are. A
 * transient or throttled {@code fetchAll} counts as a failed poll of every member, grows the
 * interval, and a {@code Retry-After} sets the wait. Any other exception from {@code fetchAll}
 * switches the group for good to polling its runs one at a time ({@link Member#pollAlone()}); runs
 * that join it later poll alone as well.
 *
 * <p>Thread-safety: the group's own state is guarded by {@code this}; the group never calls a
 * member while holding it, so a member may call {@link #leave} from any thread, including from
 * inside a tick. One tick runs at a time: the next is scheduled only when the last has ended,
 * including the single fetches of the runs its listing left out (those run side by side on the
 * fetch executor).
 */
final class PollGroup {
  private static final Logger log = LoggerFactory.getLogger(PollGroup.class);

  /** What a status or a failed poll did to a member, for the group's cadence. */
  enum Effect {
    /** Nothing new (the same state, a tolerated failure, or the member had already ended). */
    NONE,
    /** Its first status or a new state. */
    CHANGED,
    /** The member's wait ended (terminal state, or a failure it does not tolerate). */
    ENDED
  }

  /** A run waited for in a group; implemented by the poller's watches. */
  interface Member {
    String runId();

    PollOptions options();

    /** True once the member's wait has ended (completed, failed, timed out or cancelled). */
    boolean isDone();

    /** Its status, as the listing showed it. */
    Effect accept(JobStatus status);

    /** Fetches its status on its own ({@link StatusSource#fetch}): the listing left it out. */
    Effect fetchAlone();

    /** The listing failed transiently: a failed poll of this member. */
    Effect failed(RuntimeException e);

    /** Ends the member's wait with this failure. */
    void fail(Throwable e);

    /** From now on, polls itself on its own, starting now. */
    void pollAlone();
  }

  private final BatchStatusSource source;
  private final String key;
  private final Scheduler scheduler;
  private final Executor fetchExecutor;
  private final RandomGenerator random;
  private final Consumer<PollGroup> onIdle;

  // guarded by this
  private final Set<Member> members = new LinkedHashSet<>();
  private Duration interval;
  private boolean active;
  private boolean ticking;

  /** Members joined while a tick was under way: not in its listing, never polled yet. */
  private boolean joinedDuringTick;

  private boolean fallenBack;
  private ScheduledTask next;
  private Instant nextDue;

  /**
   * @param fetchExecutor where {@code fetchAll} runs; null for the scheduler's thread
   * @param onIdle called (without any lock held) when a tick ends with no member left, so that the
   *     poller can forget the group if it is still {@link #isForgettable()}
   */
  PollGroup(
      BatchStatusSource source,
      String key,
      Scheduler scheduler,
      Executor fetchExecutor,
      RandomGenerator random,
      Consumer<PollGroup> onIdle) {
    this.source = Objects.requireNonNull(source, "source");
    this.key = Objects.requireNonNull(key, "key");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.fetchExecutor = fetchExecutor;
    this.random = Objects.requireNonNull(random, "random");
    this.onIdle = Objects.requireNonNull(onIdle, "onIdle");
  }

  /**
   * Adds a member to the next tick; a group that was idle ticks at once, and a backed-off group
   * ticks within the member's interval.
   *
   * @return false when this group has fallen back to polling one at a time: the caller must poll
   *     the member alone
   */
  synchronized boolean join(Member member) {
    if (fallenBack) {
      return false;
    }
    if (member.isDone()) {
      return true;
    }
    members.add(member);
    active = true;
    // the member's own interval, not the group's (that would cost a pass over all members)
    Duration own = member.options().interval();
    if (interval == null) {
      interval = own;
    }
    if (ticking) {
      joinedDuringTick = true; // the tick under way schedules a catch-up tick for it
      return true;
    }
    Instant now = scheduler.now();
    if (next == null) {
      schedule(Duration.ZERO, now);
    } else if (nextDue.isAfter(now.plus(own))) {
      next.cancel();
      schedule(RunPoller.jittered(own, member.options().jitter(), random), now);
    }
    return true;
  }

  /**
   * Removes a member (its wait ended or was cancelled).
   *
   * @return true when the group is empty and may be forgotten (a group that fell back is kept, so
   *     that runs joining later poll alone at once)
   */
  synchronized boolean leave(Member member) {
    if (members.remove(member)) {
      active = true;
      if (members.isEmpty() && next != null) {
        next.cancel();
        next = null;
      }
    }
    return isForgettable();
  }

  /**
   * True when no member is left, no tick is under way (two listings of one key never overlap) and
   * the group has not fallen back.
   */
  synchronized boolean isForgettable() {
    return members.isEmpty() && !ticking && !fallenBack;
  }

  /** The number of members; for tests and logs. */
  synchronized int size() {
    return members.size();
  }

  private void schedule(Duration delay, Instant now) {
    nextDue = now.plus(delay);
    next = scheduler.schedule(this::tick, delay);
  }

  private void tick() {
    Instant due;
    synchronized (this) {
      next = null;
      if (members.isEmpty() || fallenBack) {
        return;
      }
      ticking = true;
      due = nextDue;
    }
    if (fetchExecutor == null) {
      poll(due);
      return;
    }
    try {
      fetchExecutor.execute(() -> poll(due));
    } catch (RejectedExecutionException e) {
      List<Member> all;
      synchronized (this) {
        ticking = false;
        all = new ArrayList<>(members);
      }
      all.forEach(m -> m.fail(e));
    }
  }

  /**
   * @param due when this tick was planned: the cadence counts from then, so that a tick that starts
   *     late (a busy scheduler or fetch pool) does not push every later tick back
   */
  private void poll(Instant due) {
    Instant now = scheduler.now();
    Instant started = due != null && due.isBefore(now) ? due : now;
    List<Member> batch;
    synchronized (this) {
      batch = new ArrayList<>(members);
      joinedDuringTick = false; // those are in this listing
    }
    Set<String> runIds = new LinkedHashSet<>();
    batch.forEach(m -> runIds.add(m.runId()));
    boolean changed = false;
    List<Member> missing = new ArrayList<>();
    RuntimeException failure = null;
    boolean done = true; // false once the single fetches schedule the next tick themselves
    try {
      Map<String, JobStatus> statuses;
      try {
        statuses =
            Objects.requireNonNull(
                source.fetchAll(key, Collections.unmodifiableSet(runIds)),
                "fetchAll answered null");
      } catch (TransientException | ThrottledException e) {
        failure = e;
        for (Member m : batch) {
          m.failed(e);
        }
        return;
      } catch (RuntimeException e) {
        fallBack(e);
        return;
      } catch (Error e) {
        batch.forEach(m -> m.fail(e));
        throw e;
      }
      for (Member m : batch) {
        JobStatus status = statuses.get(m.runId());
        if (status == null) {
          missing.add(m);
        } else {
          changed |= m.accept(status) != Effect.NONE;
        }
      }
      if (missing.isEmpty() || fetchExecutor == null) {
        for (Member m : missing) {
          changed |= m.fetchAlone() != Effect.NONE;
        }
      } else {
        done = false;
        fetchMissing(started, changed, missing);
      }
    } finally {
      if (done) {
        scheduleNext(started, changed, failure);
      }
    }
  }

  /**
   * Fetches the runs the listing left out, each on its own, side by side on the fetch executor; the
   * next tick is scheduled when the last of them has answered.
   */
  private void fetchMissing(Instant started, boolean changedSoFar, List<Member> missing) {
    AtomicInteger left = new AtomicInteger(missing.size());
    AtomicBoolean changed = new AtomicBoolean(changedSoFar);
    for (Member m : missing) {
      Runnable fetch =
          () -> {
            try {
              if (m.fetchAlone() != Effect.NONE) {
                changed.set(true);
              }
            } finally {
              if (left.decrementAndGet() == 0) {
                scheduleNext(started, changed.get(), null);
              }
            }
          };
      try {
        fetchExecutor.execute(fetch);
      } catch (RejectedExecutionException e) {
        m.fail(e);
        if (left.decrementAndGet() == 0) {
          scheduleNext(started, true, null);
        }
      }
    }
  }

  private void scheduleNext(Instant started, boolean changed, RuntimeException failure) {
    boolean idle;
    synchronized (this) {
      ticking = false;
      idle = members.isEmpty();
      if (!idle && !fallenBack) {
        scheduleNextLocked(started, changed, failure);
      }
    }
    if (idle) {
      onIdle.accept(this);
    }
  }

  private void scheduleNextLocked(Instant started, boolean changed, RuntimeException failure) {
    boolean reset = changed || active;
    active = false;
    boolean catchUp = joinedDuringTick;
    joinedDuringTick = false;
    Duration base = base();
    Instant now = scheduler.now();
    Duration delay;
    if (failure != null) {
      interval = grown(interval);
      delay = RunPoller.jittered(interval, jitter(), random);
      if (failure instanceof ThrottledException t && t.retryAfter().isPresent()) {
        delay = RunPoller.retryDelay(t.retryAfter().get(), jitter(), random);
      }
      log.debug(
          "batch {}: listing {} run statuses failed, next in {} ms: {}",
          key,
          members.size(),
          delay.toMillis(),
          failure.getMessage());
    } else if (catchUp) {
      // runs that joined during the listing have no status yet: list again at once, as a
      // single watch polls at once (costs extra listings only while runs join in a burst)
      interval = base;
      delay = Duration.ZERO;
    } else {
      interval = reset ? base : grown(interval);
      // counted from when the last tick was due, so neither a long listing nor a late start
      // stretches the cadence
      Duration elapsed = Duration.between(started, now);
      delay = RunPoller.jittered(interval, jitter(), random).minus(elapsed);
      if (delay.isNegative()) {
        delay = Duration.ZERO;
      }
    }
    schedule(delay, now);
  }

  private void fallBack(RuntimeException e) {
    List<Member> all;
    synchronized (this) {
      fallenBack = true;
      all = new ArrayList<>(members);
      members.clear();
    }
    log.debug(
        "batch {}: listing run statuses is not possible ({}); polling its {} runs one at a time"
            + " from now on",
        key,
        e.toString(),
        all.size());
    all.forEach(Member::pollAlone);
  }

  // the cadence follows the members' options: the most eager of them sets it

  private Duration base() {
    Duration base = null;
    for (Member m : members) {
      Duration d = m.options().interval();
      base = base == null || d.compareTo(base) < 0 ? d : base;
    }
    return base == null ? PollOptions.defaults().interval() : base;
  }

  private Duration grown(Duration d) {
    Duration max = null;
    double factor = Double.MAX_VALUE;
    for (Member m : members) {
      Duration mm = m.options().maxInterval();
      max = max == null || mm.compareTo(max) < 0 ? mm : max;
      factor = Math.min(factor, m.options().backoffFactor());
    }
    Duration base = base();
    Duration from = d == null || d.compareTo(base) < 0 ? base : d;
    return RunPoller.grown(from, factor, max);
  }

  private double jitter() {
    double jitter = 1.0;
    for (Member m : members) {
      jitter = Math.min(jitter, m.options().jitter());
    }
    return jitter >= 1.0 ? 0.0 : jitter;
  }

  @Override
  public synchronized String toString() {
    return "PollGroup{" + key + ", " + members.size() + " runs}";
  }
}
