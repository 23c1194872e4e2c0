package dev.kindling.testkit;

import dev.kindling.core.run.RunState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The state behind {@link FakePlatformService}s: what a real cloud keeps between processes. Several
 * service instances over one cloud see the same jobs and runs, which is how tests check that ids
 * work from a fresh instance. Thread-safe.
 */
public final class FakeCloud {
  private final InMemoryArtifactStore store;
  private final Clock clock;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final Map<String, Run> runs = new LinkedHashMap<>();
  private final Deque<RunScript> scripts = new ArrayDeque<>();
  private final Map<String, Deque<RunScript>> jobScripts = new LinkedHashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private RunScript defaultScript = RunScript.succeedAfterPolls(2);
  private boolean batchStatuses = true;
  private boolean listActiveRunsOnly;
  private int nextJob = 1;
  private int nextRun = 1;

  public FakeCloud() {
    this(new InMemoryArtifactStore("fake://artifacts"), Clock.systemUTC());
  }

  public FakeCloud(InMemoryArtifactStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One recorded call of a {@link FakePlatformService}. */
  public record Call(String method, List<String> args) {
    public Call {
      args = List.copyOf(args);
    }
  }

  /** A job definition as the fake keeps it. */
  public record Job(
      String id, String name, String app, String release, Map<String, String> params) {
    public Job {
      params = Map.copyOf(params);
    }
  }

  /** A run as the fake keeps it. Mutable under the cloud's lock. */
  static final class Run {
    final String id;
    final Job job;
    final String runTag;
    final Map<String, String> params;
    final RunScript script;
    final Instant submitted;
    int polls;
    RunState state = RunState.PENDING;
    Instant start;
    Instant end;

    Run(
        String id,
        Job job,
        String runTag,
        Map<String, String> params,
        RunScript script,
        Instant t) {
      this.id = id;
      this.job = job;
      this.runTag = runTag;
      this.params = Map.copyOf(params);
      this.script = script;
      this.submitted = t;
    }
  }

  public InMemoryArtifactStore store() {
    return store;
  }

  Clock clock() {
    return clock;
  }

  /** Scripts the next runs, in order; runs beyond them use the default script. */
  public synchronized FakeCloud scriptNextRuns(RunScript... next) {
    scripts.addAll(List.of(next));
    return this;
  }

  /**
   * Scripts the next runs of the job named {@code jobName}, in order; they win over {@link
   * #scriptNextRuns}. Handy when runs of several jobs start in an order the test does not fix.
   */
  public synchronized FakeCloud scriptJob(String jobName, RunScript... next) {
    jobScripts.computeIfAbsent(jobName, k -> new ArrayDeque<>()).addAll(List.of(next));
    return this;
  }

  /** The script of every run not scripted otherwise (default: succeed on the second poll). */
  public synchronized FakeCloud defaultScript(RunScript script) {
    defaultScript = Objects.requireNonNull(script);
    return this;
  }

  /**
   * Whether services over this cloud list run statuses by job ({@code statusBatchKey}, {@code
   * getJobStatuses}; default true). Off, runs have no batch key and a listing throws {@link
   * UnsupportedOperationException}: every status is fetched one run at a time.
   */
  public synchronized FakeCloud batchStatuses(boolean on) {
    batchStatuses = on;
    return this;
  }

  synchronized boolean batchStatuses() {
    return batchStatuses;
  }

  /**
   * Whether a status listing leaves out runs that have ended, as a list of active runs does
   * (default false: every asked run of the job is listed). The poller then fetches those alone.
   */
  public synchronized FakeCloud listActiveRunsOnly(boolean on) {
    listActiveRunsOnly = on;
    return this;
  }

  synchronized boolean listActiveRunsOnly() {
    return listActiveRunsOnly;
  }

  /** Every call made by any service over this cloud, in order. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The calls of one method. */
  public synchronized List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  /** The job definitions, in creation order. */
  public synchronized List<Job> jobs() {
    return List.copyOf(jobs.values());
  }

  synchronized void record(String method, String... args) {
    calls.add(new Call(method, List.of(args)));
  }

  synchronized Job upsertJob(String name, String app, String release, Map<String, String> params) {
    Optional<Job> existing = jobs.values().stream().filter(j -> j.name().equals(name)).findFirst();
    String id = existing.map(Job::id).orElseGet(() -> "fake-job-" + nextJob++);
    Job job = new Job(id, name, app, release, params);
    jobs.put(id, job);
    return job;
  }

  synchronized Optional<Job> job(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  synchronized boolean removeJob(String id) {
    return jobs.remove(id) != null;
  }

  synchronized Run newRun(Job job, String runTag, Map<String, String> params) {
    Deque<RunScript> own = jobScripts.get(job.name());
    RunScript script =
        own != null && !own.isEmpty()
            ? own.poll()
            : scripts.isEmpty() ? defaultScript : scripts.poll();
    Run run = new Run("fake-run-" + nextRun++, job, runTag, params, script, clock.instant());
    runs.put(run.id, run);
    return run;
  }

  /** The runs of a job, oldest first. */
  synchronized List<Run> runsOf(String jobId) {
    return runs.values().stream().filter(r -> r.job.id().equals(jobId)).toList();
  }

  synchronized Optional<Run> run(String id) {
    return Optional.ofNullable(runs.get(id));
  }
}
