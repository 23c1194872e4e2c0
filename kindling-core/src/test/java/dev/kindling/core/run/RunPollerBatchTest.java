package dev.kindling.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.error.TransientException;
import dev.kindling.core.time.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poller's groups: runs whose statuses a {@link BatchStatusSource} lists together. */
class RunPollerBatchTest {
  private static final Instant START = ManualScheduler.DEFAULT_START;
  private static final PollOptions EXACT = PollOptions.defaults().withJitter(0);

  private final ManualScheduler clock = new ManualScheduler();
  private final RunPoller poller = new RunPoller(clock, null, new SplittableRandom(8));

  @AfterEach
  void close() {
    poller.close();
  }

  /**
   * A fake platform: each run ends (SUCCEEDED) at a fixed fake time and is RUNNING before; the
   * batch key is whatever {@code keys} says. Records every call with its time.
   */
  private final class Platform implements BatchStatusSource {
    final Map<String, Instant> ends = new LinkedHashMap<>();
    final Function<String, Optional<String>> keys;
    final List<Instant> listTimes = new ArrayList<>();
    final List<Set<String>> listed = new ArrayList<>();
    final List<String> singles = new ArrayList<>();
    final List<Instant> singleTimes = new ArrayList<>();

    /** What the next fetchAll calls throw, in turn; empty: they answer. */
    final Deque<RuntimeException> listFailures = new ArrayDeque<>();

    /** Runs the listing leaves out. */
    final Set<String> hidden = new java.util.HashSet<>();

    /** Whether the listing leaves out runs that have ended (an "active runs" list). */
    boolean listsActiveOnly;

    /** Runs inside the next fetchAll call, once. */
    Runnable duringNextListing = () -> {};

    /** What single fetches of a run throw before they answer. */
    final Map<String, Deque<RuntimeException>> singleFailures = new HashMap<>();

    Platform(Function<String, Optional<String>> keys) {
      this.keys = keys;
    }

    Platform run(String runId, Duration endsAfter) {
      ends.put(runId, START.plus(endsAfter));
      return this;
    }

    JobStatus statusNow(String runId) {
      boolean over = !clock.now().isBefore(ends.get(runId));
      RunState state = over ? RunState.SUCCEEDED : RunState.RUNNING;
      return JobStatus.of(runId, state, state.name());
    }

    @Override
    public JobStatus fetch(String runId) {
      singles.add(runId);
      singleTimes.add(clock.now());
      Deque<RuntimeException> failures = singleFailures.get(runId);
      if (failures != null && !failures.isEmpty()) {
        throw failures.poll();
      }
      return statusNow(runId);
    }

    @Override
    public Optional<String> batchKey(String runId) {
      return keys.apply(runId);
    }

    @Override
    public Map<String, JobStatus> fetchAll(String batchKey, Set<String> runIds) {
      listTimes.add(clock.now());
      listed.add(Set.copyOf(runIds));
      Runnable hook = duringNextListing;
      duringNextListing = () -> {};
      hook.run();
      assertThat(runIds).allMatch(id -> keys.apply(id).orElseThrow().equals(batchKey));
      if (!listFailures.isEmpty()) {
        throw listFailures.poll();
      }
      Map<String, JobStatus> out = new HashMap<>();
      for (String id : runIds) {
        JobStatus s = statusNow(id);
        if (!hidden.contains(id) && !(listsActiveOnly && s.isTerminal())) {
          out.put(id, s);
        }
      }
      out.put("some-other-run", JobStatus.of("some-other-run", RunState.RUNNING, "RUNNING"));
      return out;
    }
  }

  private Platform oneJob() {
    return new Platform(id -> Optional.of("job-1"));
  }

  private List<Duration> gaps(List<Instant> times) {
    List<Duration> gaps = new ArrayList<>();
    for (int i = 1; i < times.size(); i++) {
      gaps.add(Duration.between(times.get(i - 1), times.get(i)));
    }
    return gaps;
  }

  @Test
  void aThousandRunsCostOneListingPerTickAndEachEndIsNoticedWithinOneInterval() {
    Platform platform = oneJob();
    SplittableRandom random = new SplittableRandom(42);
    int runs = 1000;
    for (int i = 0; i < runs; i++) {
      platform.run("run-" + i, Duration.ofMillis(1 + random.nextLong(60_000)));
    }
    PollOptions options = PollOptions.defaults(); // 5 s, ±10 % jitter, backoff to 30 s
    Map<String, List<RunState>> seen = new HashMap<>();
    Map<String, Instant> noticed = new HashMap<>();
    for (String run : platform.ends.keySet()) {
      List<RunState> states = new ArrayList<>();
      seen.put(run, states);
      poller
          .watch(run, platform, options, s -> states.add(s.state()))
          .whenComplete((s, e) -> noticed.put(run, clock.now()));
    }
    assertThat(poller.activeWatches()).isEqualTo(runs);

    clock.runUntilIdle();

    assertThat(noticed).hasSize(runs);
    assertThat(platform.singles).isEmpty();
    // about one listing per 5 s over the 60 s: ticks, not runs
    assertThat(platform.listTimes).hasSizeBetween(12, 16);
    assertThat(platform.listed.get(0)).hasSize(runs);
    for (String run : platform.ends.keySet()) {
      Duration lag = Duration.between(platform.ends.get(run), noticed.get(run));
      assertThat(lag).as(run).isBetween(Duration.ZERO, Duration.ofMillis(5500));
      assertThat(seen.get(run)).as(run).containsExactly(RunState.RUNNING, RunState.SUCCEEDED);
    }
    assertThat(gaps(platform.listTimes))
        .allMatch(g -> g.compareTo(Duration.ofMillis(4500)) >= 0)
        .allMatch(g -> g.compareTo(Duration.ofMillis(5500)) <= 0);
    // a run that ended is not asked for again
    for (int i = 1; i < platform.listed.size(); i++) {
      Instant t = platform.listTimes.get(i - 1);
      assertThat(platform.listed.get(i)).allMatch(id -> platform.ends.get(id).isAfter(t));
    }
    assertThat(poller.activeWatches()).isZero();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void runsTheListingLeavesOutAreFetchedOnTheirOwnInTheSameTick() {
    Platform platform = oneJob();
    platform.listsActiveOnly = true;
    for (int i = 0; i < 20; i++) {
      platform.run("run-" + i, Duration.ofSeconds(3 * i + 1));
    }
    platform.run("hidden", Duration.ofSeconds(12)).hidden.add("hidden");
    Map<String, CompletableFuture<JobStatus>> futures = new HashMap<>();
    for (String run : platform.ends.keySet()) {
      futures.put(run, poller.watch(run, platform, EXACT));
    }

    clock.runUntilIdle();

    assertThat(futures.values())
        .allMatch(f -> f.isDone() && f.join().state() == RunState.SUCCEEDED);
    // each ended run once (at the tick that found it gone), the hidden one at every tick
    Map<String, Integer> perRun = new HashMap<>();
    platform.singles.forEach(r -> perRun.merge(r, 1, Integer::sum));
    for (int i = 0; i < 20; i++) {
      assertThat(perRun.get("run-" + i)).as("run-" + i).isEqualTo(1);
    }
    // hidden ended at 12 s: fetched alone at 0, 5, 10 and 15 s
    assertThat(perRun.get("hidden"))
        .isEqualTo(platform.listTimes.indexOf(START.plusSeconds(15)) + 1);
    assertThat(platform.listTimes).containsAll(platform.singleTimes);
  }

  @Test
  void runsLeftOutAreFetchedSideBySideOnTheFetchExecutorBeforeTheNextTick() {
    Deque<Runnable> queue = new ArrayDeque<>();
    try (RunPoller p = new RunPoller(clock, queue::add, new SplittableRandom(1))) {
      Platform platform = oneJob();
      platform.listsActiveOnly = true;
      platform.run("a", Duration.ofSeconds(3)).run("b", Duration.ofSeconds(3));
      platform.run("c", Duration.ofSeconds(100));
      CompletableFuture<JobStatus> a = p.watch("a", platform, EXACT);
      CompletableFuture<JobStatus> b = p.watch("b", platform, EXACT);
      p.watch("c", platform, EXACT);
      clock.advance(Duration.ZERO);
      assertThat(queue).hasSize(1);
      queue.poll().run(); // the listing at 0 s: all running
      assertThat(clock.nextDueTime()).contains(START.plusSeconds(5));

      clock.advance(Duration.ofSeconds(5));
      queue.poll().run(); // the listing at 5 s leaves out a and b, which have ended

      assertThat(queue).hasSize(2);
      assertThat(platform.singles).isEmpty();
      assertThat(clock.pendingTasks()).isZero();
      queue.poll().run();
      assertThat(clock.pendingTasks()).isZero();
      queue.poll().run();
      assertThat(platform.singles).containsExactlyInAnyOrder("a", "b");
      assertThat(a.join().state()).isEqualTo(RunState.SUCCEEDED);
      assertThat(b.join().state()).isEqualTo(RunState.SUCCEEDED);
      assertThat(clock.nextDueTime()).contains(START.plusSeconds(10));
    }
  }

  @Test
  void runsJoiningDuringAListingAreListedRightAfterIt() {
    Deque<Runnable> queue = new ArrayDeque<>();
    try (RunPoller p = new RunPoller(clock, queue::add, new SplittableRandom(1))) {
      Platform platform = oneJob();
      platform.run("a", Duration.ofSeconds(100)).run("b", Duration.ofSeconds(100));
      p.watch("a", platform, EXACT);
      platform.duringNextListing = () -> p.watch("b", platform, EXACT);
      clock.advance(Duration.ZERO);
      queue.poll().run(); // b joins while a's listing is under way

      assertThat(platform.listed).containsExactly(Set.of("a"));
      assertThat(clock.nextDueTime()).contains(START);
      clock.advance(Duration.ZERO);
      queue.poll().run();
      assertThat(platform.listed.get(1)).containsExactlyInAnyOrder("a", "b");
      // then the usual cadence
      assertThat(clock.nextDueTime()).contains(START.plusSeconds(5));
    }
  }

  @Test
  void toleratesTransientListingFailuresAndBacksOff() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(40)).run("b", Duration.ofSeconds(40));
    platform.listFailures.add(new TransientException("503"));
    platform.listFailures.add(new ThrottledException("429"));
    CompletableFuture<JobStatus> a = poller.watch("a", platform, EXACT);
    CompletableFuture<JobStatus> b = poller.watch("b", platform, EXACT);

    clock.runUntilIdle();

    assertThat(a).isCompletedWithValueMatching(s -> s.state() == RunState.SUCCEEDED);
    assertThat(b).isCompletedWithValueMatching(s -> s.state() == RunState.SUCCEEDED);
    assertThat(gaps(platform.listTimes).subList(0, 3))
        .containsExactly(
            Duration.ofMillis(7500), Duration.ofMillis(11250), Duration.ofMillis(5000));
  }

  @Test
  void givesUpEveryRunAfterTooManyListingFailuresInARow() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(40)).run("b", Duration.ofSeconds(40));
    TransientException blip = new TransientException("503");
    for (int i = 0; i < 10; i++) {
      platform.listFailures.add(blip);
    }
    List<RunState> seen = new ArrayList<>();
    CompletableFuture<JobStatus> a =
        poller.watch("a", platform, EXACT.withMaxConsecutiveFailures(2), s -> seen.add(s.state()));
    CompletableFuture<JobStatus> b =
        poller.watch("b", platform, EXACT.withMaxConsecutiveFailures(2));

    clock.runUntilIdle();

    assertThatThrownBy(a::join).hasCause(blip);
    assertThatThrownBy(b::join).hasCause(blip);
    assertThat(platform.listTimes).hasSize(3);
    assertThat(platform.singles).isEmpty();
    assertThat(seen).isEmpty();
    assertThat(poller.activeWatches()).isZero();
  }

  @Test
  void honoursRetryAfterForTheWholeGroup() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(50)).run("b", Duration.ofSeconds(50));
    CompletableFuture<JobStatus> a = poller.watch("a", platform, EXACT);
    poller.watch("b", platform, EXACT);
    clock.advance(Duration.ofSeconds(1)); // first tick: both RUNNING
    platform.listFailures.add(
        new ThrottledException("429", null, "x", 429, null, null, Duration.ofSeconds(42)));

    clock.runUntilIdle();

    assertThat(a).isCompletedWithValueMatching(s -> s.state() == RunState.SUCCEEDED);
    assertThat(gaps(platform.listTimes).subList(0, 2))
        .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(42));
  }

  @Test
  void fallsBackToOneAtATimeWhenTheListingIsNotSupported() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(10)).run("b", Duration.ofSeconds(20));
    platform.run("late", Duration.ofSeconds(30));
    platform.listFailures.add(new UnsupportedOperationException("no listing here"));
    CompletableFuture<JobStatus> a = poller.watch("a", platform, EXACT);
    CompletableFuture<JobStatus> b = poller.watch("b", platform, EXACT);
    clock.advance(Duration.ofSeconds(1));
    assertThat(platform.singles).containsExactlyInAnyOrder("a", "b");
    // a run joining later polls on its own too: the listing is not tried again
    CompletableFuture<JobStatus> late = poller.watch("late", platform, EXACT);

    clock.runUntilIdle();

    assertThat(platform.listTimes).hasSize(1);
    assertThat(a.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(b.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(late.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(platform.singles).contains("late");
  }

  @Test
  void anyOtherListingFailureFallsBackToo() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(10));
    platform.listFailures.add(new NotFoundException("no such job"));
    CompletableFuture<JobStatus> a = poller.watch("a", platform, EXACT);

    clock.runUntilIdle();

    assertThat(a.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(platform.listTimes).hasSize(1);
    assertThat(platform.singleTimes).first().isEqualTo(START);
  }

  @Test
  void eachRunKeepsItsOwnDeadline() {
    Platform platform = oneJob();
    platform.run("quick", Duration.ofSeconds(100)).run("patient", Duration.ofSeconds(100));
    CompletableFuture<JobStatus> quick =
        poller.watch("quick", platform, EXACT.withDeadline(START.plusSeconds(12)));
    CompletableFuture<JobStatus> patient = poller.watch("patient", platform, EXACT);

    clock.advance(Duration.ofSeconds(12));

    assertThatThrownBy(quick::join)
        .hasCauseInstanceOf(TimedOutException.class)
        .cause()
        .satisfies(
            e ->
                assertThat(((TimedOutException) e).lastStatus())
                    .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(RunState.RUNNING)));
    assertThat(patient).isNotDone();
    clock.runUntilIdle();
    assertThat(patient.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(platform.listed.get(platform.listed.size() - 1)).containsExactly("patient");
  }

  @Test
  void cancellingOneRunTakesItOutOfTheGroup() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(30)).run("b", Duration.ofSeconds(30));
    CompletableFuture<JobStatus> a = poller.watch("a", platform, EXACT);
    CompletableFuture<JobStatus> b = poller.watch("b", platform, EXACT);
    clock.advance(Duration.ofSeconds(1));

    a.cancel(false);

    assertThat(poller.activeWatches()).isEqualTo(1);
    clock.runUntilIdle();
    assertThat(b.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(platform.listed.subList(1, platform.listed.size()))
        .allMatch(s -> s.equals(Set.of("b")));
    // the cancellation counts as a change: the tick after it is one base interval on, not 7.5 s
    assertThat(platform.listTimes.subList(0, 3))
        .containsExactly(START, START.plusSeconds(5), START.plusSeconds(10));
  }

  @Test
  void cancellingTheLastRunStopsTheGroup() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(30));
    CompletableFuture<JobStatus> a = poller.watch("a", platform, EXACT);
    clock.advance(Duration.ofSeconds(1));

    a.cancel(false);

    assertThat(clock.pendingTasks()).isZero();
    assertThat(poller.activeWatches()).isZero();
  }

  @Test
  void groupsOfDifferentKeysAndAPlainSourcePollSideBySide() {
    Platform jobs = new Platform(id -> Optional.of(id.substring(0, 1)));
    for (int i = 0; i < 5; i++) {
      jobs.run("x" + i, Duration.ofSeconds(20 + i)).run("y" + i, Duration.ofSeconds(30 + i));
    }
    jobs.run("z-no-key", Duration.ofSeconds(25));
    Platform keyless = new Platform(id -> id.startsWith("z") ? Optional.empty() : Optional.of("?"));
    keyless.ends.putAll(jobs.ends);
    AtomicInteger plainCalls = new AtomicInteger();
    StatusSource plain =
        id -> {
          plainCalls.incrementAndGet();
          return jobs.statusNow(id);
        };
    List<CompletableFuture<JobStatus>> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(poller.watch("x" + i, jobs, EXACT));
      all.add(poller.watch("y" + i, jobs, EXACT));
    }
    all.add(poller.watch("z-no-key", keyless, EXACT));
    all.add(poller.watch("p", plain, EXACT));
    jobs.run("p", Duration.ofSeconds(15));

    clock.runUntilIdle();

    assertThat(all).allMatch(f -> f.join().state() == RunState.SUCCEEDED);
    assertThat(jobs.listed.stream().filter(s -> s.stream().allMatch(id -> id.startsWith("x"))))
        .isNotEmpty();
    assertThat(jobs.listed)
        .allMatch(
            s ->
                s.stream().allMatch(id -> id.startsWith("x"))
                    || s.stream().allMatch(id -> id.startsWith("y")));
    assertThat(jobs.listed.get(0)).hasSize(5);
    assertThat(jobs.listed.get(1)).hasSize(5);
    assertThat(jobs.singles).isEmpty();
    assertThat(keyless.listTimes).isEmpty();
    assertThat(keyless.singles).containsOnly("z-no-key").hasSizeGreaterThan(1);
    assertThat(plainCalls.get()).isGreaterThan(1);
  }

  @Test
  void aGroupOfOneCostsWhatASingleWatchCosts() {
    List<Instant> alone = runScripted(false);
    List<Instant> grouped = runScripted(true);

    assertThat(grouped).isEqualTo(alone).hasSize(8);
  }

  /** One run through a scripted life; returns when it was asked. */
  private List<Instant> runScripted(boolean batch) {
    ManualScheduler c = new ManualScheduler();
    List<Instant> times = new ArrayList<>();
    Deque<Supplier<JobStatus>> script = new ArrayDeque<>();
    for (RunState s :
        List.of(
            RunState.PENDING,
            RunState.PENDING,
            RunState.PENDING,
            RunState.RUNNING,
            RunState.RUNNING)) {
      script.add(() -> JobStatus.of("r", s, s.name()));
    }
    script.add(
        () -> {
          throw new TransientException("503");
        });
    script.add(() -> JobStatus.of("r", RunState.RUNNING, "RUNNING"));
    script.add(() -> JobStatus.of("r", RunState.SUCCEEDED, "SUCCEEDED"));
    StatusSource source;
    if (batch) {
      source =
          new BatchStatusSource() {
            @Override
            public JobStatus fetch(String runId) {
              throw new AssertionError("a listed run is never fetched alone");
            }

            @Override
            public Optional<String> batchKey(String runId) {
              return Optional.of("job");
            }

            @Override
            public Map<String, JobStatus> fetchAll(String key, Set<String> runIds) {
              times.add(c.now());
              return Map.of("r", script.poll().get());
            }
          };
    } else {
      source =
          id -> {
            times.add(c.now());
            return script.poll().get();
          };
    }
    try (RunPoller p = new RunPoller(c)) {
      CompletableFuture<JobStatus> done = p.watch("r", source, EXACT);
      c.runUntilIdle();
      assertThat(done.join().state()).isEqualTo(RunState.SUCCEEDED);
    }
    return times;
  }

  @Test
  void backsOffWhileNothingChangesAndResetsWhenOneRunChanges() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(20)).run("b", Duration.ofSeconds(300));
    poller.watch("a", platform, EXACT);
    poller.watch("b", platform, EXACT);

    clock.advance(Duration.ofSeconds(40));

    assertThat(gaps(platform.listTimes))
        .containsExactly(
            Duration.ofMillis(5000), // first statuses: a change
            Duration.ofMillis(7500),
            Duration.ofMillis(11250), // t = 23.75: a ended
            Duration.ofMillis(5000),
            Duration.ofMillis(7500));
  }

  @Test
  void aRunJoinsTheTicksAfterItsInitialDelayAndPullsABackedOffGroupForward() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(500)).run("b", Duration.ofSeconds(500));
    poller.watch("a", platform, EXACT);
    poller.watch("b", platform, EXACT.withInitialDelay(Duration.ofSeconds(100)));

    clock.advance(Duration.ofSeconds(100));
    assertThat(platform.listed).allMatch(s -> s.equals(Set.of("a")));
    // at 100 s the group waits 30 s between ticks; b joins and the next comes within 5 s
    Instant before = platform.listTimes.get(platform.listTimes.size() - 1);
    assertThat(before).isBefore(START.plusSeconds(100));
    clock.advance(Duration.ofSeconds(5));
    assertThat(platform.listed.get(platform.listed.size() - 1)).containsExactlyInAnyOrder("a", "b");
    assertThat(platform.listTimes.get(platform.listTimes.size() - 1))
        .isEqualTo(START.plusSeconds(105));
  }

  @Test
  void aRunNotFoundAloneBeforeItsFirstStatusIsTolerated() {
    Platform platform = oneJob();
    platform.run("new", Duration.ofSeconds(12)).hidden.add("new");
    Deque<RuntimeException> notYet = new ArrayDeque<>();
    notYet.add(new NotFoundException("not visible yet"));
    platform.singleFailures.put("new", notYet);
    CompletableFuture<JobStatus> done = poller.watch("new", platform, EXACT);

    clock.runUntilIdle();

    assertThat(done.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(platform.singles.size()).isEqualTo(platform.listTimes.size());
  }

  @Test
  void aRunListedButNotYetFoundByItsOwnRequestToleratesNotFound() {
    // the listing shows the run (RUNNING); once it has ended, an active-only listing leaves it
    // out, and its own request still answers "not found" twice (the get lags behind the list)
    Platform platform = oneJob();
    platform.listsActiveOnly = true;
    platform.run("lagging", Duration.ofSeconds(7));
    Deque<RuntimeException> lagging = new ArrayDeque<>();
    lagging.add(new NotFoundException("not visible yet"));
    lagging.add(new NotFoundException("not visible yet"));
    platform.singleFailures.put("lagging", lagging);
    List<RunState> seen = new ArrayList<>();
    CompletableFuture<JobStatus> done =
        poller.watch("lagging", platform, EXACT, s -> seen.add(s.state()));

    clock.runUntilIdle();

    assertThat(done.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(seen).containsExactly(RunState.RUNNING, RunState.SUCCEEDED);
    assertThat(platform.singles).hasSize(3);
  }

  @Test
  void aRunFoundByItsOwnRequestAndThenNotFoundEndsTheWait() {
    Platform platform = oneJob();
    platform.listsActiveOnly = true;
    platform.hidden.add("deleted");
    platform.run("deleted", Duration.ofSeconds(30));
    CompletableFuture<JobStatus> done = poller.watch("deleted", platform, EXACT);
    clock.advance(Duration.ofSeconds(1)); // found RUNNING by its own request
    assertThat(platform.singles).containsExactly("deleted");
    Deque<RuntimeException> gone = new ArrayDeque<>();
    gone.add(new NotFoundException("deleted"));
    platform.singleFailures.put("deleted", gone);

    clock.runUntilIdle();

    assertThat(done).isCompletedExceptionally();
    assertThatThrownBy(done::join).hasCauseInstanceOf(NotFoundException.class);
  }

  @Test
  void closeCancelsGroupedWaits() {
    Platform platform = oneJob();
    platform.run("a", Duration.ofSeconds(30)).run("b", Duration.ofSeconds(30));
    CompletableFuture<JobStatus> a = poller.watch("a", platform, EXACT);
    CompletableFuture<JobStatus> b = poller.watch("b", platform, EXACT);
    clock.advance(Duration.ofSeconds(1));

    poller.close();

    assertThat(a).isCancelled();
    assertThat(b).isCancelled();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void realThreadsJoiningAndLeavingManyGroupsAtOnce() throws Exception {
    Map<String, AtomicInteger> listings = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, AtomicInteger> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, AtomicInteger> seenBy = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    BatchStatusSource source =
        new BatchStatusSource() {
          @Override
          public JobStatus fetch(String runId) {
            return JobStatus.of(runId, RunState.SUCCEEDED, "SUCCEEDED");
          }

          @Override
          public Optional<String> batchKey(String runId) {
            return Optional.of("job-" + (runId.hashCode() & 7));
          }

          @Override
          public Map<String, JobStatus> fetchAll(String key, Set<String> runIds) {
            if (inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
              overlaps.incrementAndGet();
            }
            try {
              listings.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
              Map<String, JobStatus> out = new HashMap<>();
              for (String id : runIds) {
                int n = seenBy.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement();
                RunState s = n < 2 ? RunState.RUNNING : RunState.SUCCEEDED;
                if (n != 1 || (id.hashCode() & 16) == 0) { // some are left out, fetched alone
                  out.put(id, JobStatus.of(id, s, s.name()));
                }
              }
              return out;
            } finally {
              inFlight.get(key).decrementAndGet();
            }
          }
        };
    PollOptions fast =
        PollOptions.defaults()
            .withInterval(Duration.ofMillis(2))
            .withMaxInterval(Duration.ofMillis(10));
    Map<String, List<RunState>> seen = new java.util.concurrent.ConcurrentHashMap<>();
    List<CompletableFuture<JobStatus>> kept =
        java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<JobStatus>> cancelled =
        java.util.Collections.synchronizedList(new ArrayList<>());
    try (RunPoller real = RunPoller.create()) {
      List<Thread> starters = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        starters.add(
            new Thread(
                () -> {
                  for (int i = 0; i < 250; i++) {
                    String runId = "run-" + thread + "-" + i;
                    List<RunState> states =
                        java.util.Collections.synchronizedList(new ArrayList<>());
                    seen.put(runId, states);
                    CompletableFuture<JobStatus> f =
                        real.watch(runId, source, fast, s -> states.add(s.state()));
                    // a run can end before its cancel (2 ms polls, a busy machine): then it counts
                    // as kept
                    if (i % 10 == 0 && f.cancel(false)) {
                      cancelled.add(f);
                    } else {
                      kept.add(f);
                    }
                  }
                }));
      }
      starters.forEach(Thread::start);
      for (Thread t : starters) {
        t.join();
      }
      CompletableFuture.allOf(kept.toArray(CompletableFuture[]::new))
          .get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(real.activeWatches()).isZero();
    }
    assertThat(kept.size() + cancelled.size()).isEqualTo(1000);
    assertThat(kept).hasSizeGreaterThanOrEqualTo(900);
    assertThat(kept).allMatch(f -> f.join().state() == RunState.SUCCEEDED);
    assertThat(cancelled).allMatch(CompletableFuture::isCancelled);
    assertThat(overlaps.get()).isZero();
    assertThat(seen.values())
        .filteredOn(l -> l.contains(RunState.SUCCEEDED))
        .hasSizeGreaterThanOrEqualTo(kept.size()) // a cancel can follow the last notification
        .allMatch(l -> l.equals(List.of(RunState.RUNNING, RunState.SUCCEEDED)));
    // a handful of listings per group, not one request per run and poll
    int total = listings.values().stream().mapToInt(AtomicInteger::get).sum();
    assertThat(total).isLessThan(900);
  }
}
