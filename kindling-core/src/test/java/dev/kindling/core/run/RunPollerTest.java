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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunPollerTest {
  private static final Instant START = ManualScheduler.DEFAULT_START;

  /** Exact waits: no jitter. */
  private static final PollOptions EXACT = PollOptions.defaults().withJitter(0);

  private final ManualScheduler clock = new ManualScheduler();
  private final RunPoller poller = new RunPoller(clock);
  private final List<Instant> fetchTimes = new ArrayList<>();

  @AfterEach
  void close() {
    poller.close();
  }

  private static JobStatus status(RunState state) {
    return JobStatus.of("run-1", state, state.name().toLowerCase());
  }

  /** Answers the given steps in turn, then repeats the last one; records when it was asked. */
  @SafeVarargs
  private StatusSource script(Supplier<JobStatus>... steps) {
    AtomicInteger calls = new AtomicInteger();
    return runId -> {
      fetchTimes.add(clock.now());
      int i = Math.min(calls.getAndIncrement(), steps.length - 1);
      return steps[i].get();
    };
  }

  private static Supplier<JobStatus> is(RunState state) {
    return () -> status(state);
  }

  private static Supplier<JobStatus> fails(RuntimeException e) {
    return () -> {
      throw e;
    };
  }

  private List<Duration> gaps() {
    List<Duration> gaps = new ArrayList<>();
    for (int i = 1; i < fetchTimes.size(); i++) {
      gaps.add(Duration.between(fetchTimes.get(i - 1), fetchTimes.get(i)));
    }
    return gaps;
  }

  @Test
  void notifiesEachStateChangeOnceInOrderAndCompletesWithTheTerminalStatus() {
    List<RunState> seen = new ArrayList<>();
    CompletableFuture<JobStatus> done =
        poller.watch(
            "run-1",
            script(
                is(RunState.PENDING),
                is(RunState.PENDING),
                is(RunState.RUNNING),
                is(RunState.RUNNING),
                is(RunState.SUCCEEDED)),
            EXACT,
            s -> seen.add(s.state()));

    clock.runUntilIdle();

    assertThat(done).isCompletedWithValueMatching(s -> s.state() == RunState.SUCCEEDED);
    assertThat(seen).containsExactly(RunState.PENDING, RunState.RUNNING, RunState.SUCCEEDED);
    assertThat(fetchTimes).hasSize(5);
    assertThat(poller.activeWatches()).isZero();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void unknownIsNotTerminal() {
    CompletableFuture<JobStatus> done =
        poller.watch(
            "run-1",
            script(is(RunState.UNKNOWN), is(RunState.UNKNOWN), is(RunState.FAILED)),
            EXACT);

    clock.advance(Duration.ofSeconds(5));
    assertThat(done).isNotDone();
    clock.runUntilIdle();
    assertThat(done).isCompletedWithValueMatching(s -> s.state() == RunState.FAILED);
  }

  @Test
  void backsOffWhileTheStateIsUnchangedAndResetsOnChange() {
    poller.watch(
        "run-1",
        script(
            is(RunState.PENDING),
            is(RunState.PENDING),
            is(RunState.PENDING),
            is(RunState.RUNNING),
            is(RunState.RUNNING),
            is(RunState.SUCCEEDED)),
        EXACT);

    clock.runUntilIdle();

    assertThat(fetchTimes.get(0)).isEqualTo(START);
    assertThat(gaps())
        .containsExactly(
            Duration.ofMillis(5000),
            Duration.ofMillis(7500),
            Duration.ofMillis(11250),
            Duration.ofMillis(5000),
            Duration.ofMillis(7500));
  }

  @Test
  void theIntervalStopsGrowingAtTheMax() {
    poller.watch("run-1", script(is(RunState.RUNNING)), EXACT.withDeadline(START.plusSeconds(300)));

    clock.advance(Duration.ofSeconds(300));

    List<Duration> gaps = gaps();
    assertThat(gaps).startsWith(Duration.ofMillis(5000), Duration.ofMillis(7500));
    assertThat(gaps).allMatch(g -> g.compareTo(Duration.ofSeconds(30)) <= 0);
    assertThat(gaps.get(gaps.size() - 1)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void jitterSpreadsWaitsWithinTenPercent() {
    poller.watch(
        "run-1",
        script(is(RunState.RUNNING)),
        PollOptions.defaults().withBackoffFactor(1).withDeadline(START.plusSeconds(600)));

    clock.advance(Duration.ofSeconds(600));

    assertThat(gaps())
        .hasSizeGreaterThan(50)
        .allMatch(g -> g.compareTo(Duration.ofMillis(4500)) >= 0)
        .allMatch(g -> g.compareTo(Duration.ofMillis(5500)) <= 0);
    assertThat(Set.copyOf(gaps())).hasSizeGreaterThan(1);
  }

  @Test
  void timesOutAtTheDeadlineWithTheLastStatus() {
    List<RunState> seen = new ArrayList<>();
    CompletableFuture<JobStatus> done =
        poller.watch(
            "run-1",
            script(is(RunState.PENDING), is(RunState.RUNNING)),
            EXACT.withDeadline(START.plusSeconds(60)),
            s -> seen.add(s.state()));

    clock.advance(Duration.ofSeconds(59));
    assertThat(done).isNotDone();
    clock.advance(Duration.ofSeconds(1));

    assertThatThrownBy(done::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimedOutException.class)
        .hasMessageContaining("run-1 is still RUNNING at the deadline")
        .satisfies(
            e ->
                assertThat(((TimedOutException) e).lastStatus())
                    .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(RunState.RUNNING)));
    int polls = fetchTimes.size();
    clock.advance(Duration.ofMinutes(10));
    assertThat(fetchTimes).hasSize(polls);
    assertThat(seen).containsExactly(RunState.PENDING, RunState.RUNNING);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void aDeadlineInThePastTimesOutWithoutPolling() {
    CompletableFuture<JobStatus> done =
        poller.watch(
            "run-1", script(is(RunState.RUNNING)), EXACT.withDeadline(START.minusSeconds(1)));

    clock.advance(Duration.ZERO);

    assertThat(done).isCompletedExceptionally();
    assertThat(fetchTimes).isEmpty();
  }

  @Test
  void toleratesTransientFailuresInARow() {
    TransientException blip = new TransientException("503 from the platform");
    CompletableFuture<JobStatus> done =
        poller.watch(
            "run-1",
            script(
                is(RunState.RUNNING),
                fails(blip),
                fails(new ThrottledException("429")),
                is(RunState.RUNNING),
                fails(blip),
                fails(blip),
                is(RunState.SUCCEEDED)),
            EXACT.withMaxConsecutiveFailures(2));

    clock.runUntilIdle();

    assertThat(done).isCompletedWithValueMatching(s -> s.state() == RunState.SUCCEEDED);
  }

  @Test
  void failsAfterTooManyTransientFailuresInARow() {
    TransientException blip = new TransientException("503 from the platform");
    List<RunState> seen = new ArrayList<>();
    CompletableFuture<JobStatus> done =
        poller.watch(
            "run-1",
            script(
                is(RunState.RUNNING),
                fails(blip),
                fails(blip),
                fails(blip),
                is(RunState.SUCCEEDED)),
            EXACT.withMaxConsecutiveFailures(2),
            s -> seen.add(s.state()));

    clock.runUntilIdle();

    assertThat(done).isCompletedExceptionally();
    assertThatThrownBy(done::join).hasCause(blip);
    assertThat(fetchTimes).hasSize(4);
    assertThat(seen).containsExactly(RunState.RUNNING);
  }

  @Test
  void otherFailuresEndTheWaitAtOnce() {
    NotFoundException gone = new NotFoundException("no such run");
    CompletableFuture<JobStatus> done =
        poller.watch("run-1", script(is(RunState.RUNNING), fails(gone)), EXACT);

    clock.runUntilIdle();

    assertThatThrownBy(done::join).hasCause(gone);
    assertThat(fetchTimes).hasSize(2);
  }

  @Test
  void honoursRetryAfterOfAThrottledPoll() {
    ThrottledException throttled =
        new ThrottledException(
            "429", null, "fabric", 429, "TooManyRequests", null, Duration.ofSeconds(42));
    poller.watch(
        "run-1", script(is(RunState.RUNNING), fails(throttled), is(RunState.SUCCEEDED)), EXACT);

    clock.runUntilIdle();

    assertThat(gaps()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(42));
  }

  @Test
  void retryAfterIsNeverShortenedByJitter() {
    ThrottledException throttled =
        new ThrottledException("429", null, "fabric", 429, null, null, Duration.ofSeconds(42));
    poller.watch(
        "run-1",
        script(is(RunState.RUNNING), fails(throttled), is(RunState.SUCCEEDED)),
        PollOptions.defaults());

    clock.runUntilIdle();

    assertThat(gaps().get(1)).isBetween(Duration.ofSeconds(42), Duration.ofMillis(46_200));
  }

  @Test
  void waitsTheInitialDelayBeforeTheFirstPoll() {
    poller.watch(
        "run-1", script(is(RunState.SUCCEEDED)), EXACT.withInitialDelay(Duration.ofSeconds(60)));

    clock.advance(Duration.ofSeconds(59));
    assertThat(fetchTimes).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(fetchTimes).containsExactly(START.plusSeconds(60));
  }

  @Test
  void cancellingTheFutureStopsPolling() {
    CompletableFuture<JobStatus> done =
        poller.watch(
            "run-1", script(is(RunState.RUNNING)), EXACT.withDeadline(START.plusSeconds(3600)));
    clock.advance(Duration.ofSeconds(20));
    int polls = fetchTimes.size();

    done.cancel(false);

    assertThat(clock.pendingTasks()).isZero();
    clock.advance(Duration.ofMinutes(5));
    assertThat(fetchTimes).hasSize(polls);
    assertThat(poller.activeWatches()).isZero();
  }

  @Test
  void aFailingListenerDoesNotStopTheWait() {
    CompletableFuture<JobStatus> done =
        poller.watch(
            "run-1",
            script(is(RunState.RUNNING), is(RunState.SUCCEEDED)),
            EXACT,
            s -> {
              throw new IllegalStateException("listener bug (expected by the test)");
            });

    clock.runUntilIdle();

    assertThat(done).isCompletedWithValueMatching(s -> s.state() == RunState.SUCCEEDED);
  }

  @Test
  void closeCancelsEveryWaitAndRefusesNewOnes() {
    CompletableFuture<JobStatus> a = poller.watch("a", script(is(RunState.RUNNING)), EXACT);
    CompletableFuture<JobStatus> b = poller.watch("b", script(is(RunState.RUNNING)), EXACT);

    poller.close();

    assertThat(a).isCancelled();
    assertThat(b).isCancelled();
    assertThat(clock.pendingTasks()).isZero();
    assertThatThrownBy(() -> poller.watch("c", script(is(RunState.RUNNING)), EXACT))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aThousandWatchesShareTheSchedulerThread() {
    Set<Thread> fetchThreads = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    Map<String, List<RunState>> seen = new ConcurrentHashMap<>();
    StatusSource source =
        runId -> {
          fetchThreads.add(Thread.currentThread());
          int n = calls.computeIfAbsent(runId, k -> new AtomicInteger()).getAndIncrement();
          RunState s = n < 2 ? RunState.PENDING : n < 5 ? RunState.RUNNING : RunState.SUCCEEDED;
          return JobStatus.of(runId, s, s.name());
        };
    List<CompletableFuture<JobStatus>> futures = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String runId = "run-" + i;
      futures.add(
          poller.watch(
              runId,
              source,
              PollOptions.defaults(),
              s ->
                  seen.computeIfAbsent(runId, k -> Collections.synchronizedList(new ArrayList<>()))
                      .add(s.state())));
    }
    assertThat(poller.activeWatches()).isEqualTo(1000);

    clock.advance(Duration.ofMinutes(5));

    assertThat(futures).allMatch(f -> f.isDone() && f.join().state() == RunState.SUCCEEDED);
    assertThat(fetchThreads).containsExactly(Thread.currentThread());
    assertThat(seen.values())
        .hasSize(1000)
        .allMatch(l -> l.equals(List.of(RunState.PENDING, RunState.RUNNING, RunState.SUCCEEDED)));
    assertThat(poller.activeWatches()).isZero();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void aThousandRealWatchesUseAHandfulOfThreads() throws Exception {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    StatusSource source =
        runId -> {
          threads.add(Thread.currentThread().getName());
          int n = calls.computeIfAbsent(runId, k -> new AtomicInteger()).getAndIncrement();
          RunState s = n < 1 ? RunState.PENDING : n < 2 ? RunState.RUNNING : RunState.SUCCEEDED;
          return JobStatus.of(runId, s, s.name());
        };
    PollOptions fast =
        PollOptions.defaults()
            .withInterval(Duration.ofMillis(1))
            .withMaxInterval(Duration.ofMillis(5));
    int before = Thread.activeCount();

    try (RunPoller real = RunPoller.create()) {
      List<CompletableFuture<JobStatus>> futures = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        futures.add(real.watch("run-" + i, source, fast));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(futures).allMatch(f -> f.join().state() == RunState.SUCCEEDED);
      assertThat(Thread.activeCount() - before).isLessThanOrEqualTo(RunPoller.FETCH_THREADS + 2);
    }
    assertThat(threads)
        .isNotEmpty()
        .hasSizeLessThanOrEqualTo(RunPoller.FETCH_THREADS)
        .allMatch(name -> name.startsWith("kindling-poll-"));
  }
}
