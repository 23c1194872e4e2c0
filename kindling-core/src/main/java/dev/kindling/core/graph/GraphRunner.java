package dev.kindling.core.graph;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.RunRetry;
import dev.kindling.core.deploy.Attempt;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DataAppDeployer.PreparedApp;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.RetriedRun;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.spi.NativeGraphs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link JobGraph}s through a {@link DataAppDeployer}. Everything is validated first (the
 * graph's shape, every task's app and config), every problem at once, before any network call.
 * Then, when the platform {@linkplain dev.kindling.core.spi.PlatformService#nativeGraphs() runs
 * graphs itself}, the graph is deployed as one job and run; otherwise each task is deployed as its
 * own job and Kindling runs them: in dependency order, at most {@link JobGraph#maxParallel()} at
 * once, each task when all its dependencies have ended and its {@link RunIf} holds (else it is
 * skipped), retrying a task as its job config's {@code retry} says. Waiting uses the deployer's
 * poller and scheduler, so it runs on a fake clock in tests.
 *
 * <pre>{@code
 * GraphRun run = new GraphRunner(kindling.deployer())
 *     .start(JobGraphs.load(Path.of("kindling.yaml"), "nightly"), Map.of(), Duration.ofHours(2));
 * RunState end = run.await();
 * run.tasks().forEach(t -> System.out.println(t.task() + " " + t.state()));
 * }</pre>
 */
public final class GraphRunner {
  private static final Logger log = LoggerFactory.getLogger(GraphRunner.class);

  private final DataAppDeployer deployer;

  public GraphRunner(DataAppDeployer deployer) {
    this.deployer = Objects.requireNonNull(deployer, "deployer");
  }

  /**
   * Checks the graph and every task's app and config; throws one exception naming every problem.
   */
  public void validate(JobGraph graph) {
    prepare(graph).values().forEach(PreparedApp::close);
  }

  /**
   * Validates, deploys and starts the graph.
   *
   * @param params run parameters given to every task, over each task's own {@code parameters}
   * @param timeout how long the graph may take in all; a task still running then is left running
   *     and the run's future fails with a {@link TimedOutException}
   */
  public GraphRun start(JobGraph graph, Map<String, String> params, Duration timeout) {
    Map<String, PreparedApp> prepared = prepare(graph);
    try {
      List<GraphTask> order = graph.topologicalOrder();
      Optional<NativeGraphs> nativeGraphs = deployer.platform().nativeGraphs();
      if (nativeGraphs.isPresent()) {
        return startNative(graph, order, prepared, nativeGraphs.get(), params, timeout);
      }
      Map<String, String> jobs = new LinkedHashMap<>();
      for (GraphTask t : order) {
        PreparedApp p = prepared.get(t.name());
        DeploymentResult r = deployer.platform().deploySparkJob(p.files(), p.config());
        log.info(
            "graph {}: task {} deployed as job {} (release {})",
            graph.name(),
            t.name(),
            r.jobId(),
            r.release());
        jobs.put(t.name(), r.jobId());
      }
      Map<String, RunRetry> retries = new LinkedHashMap<>();
      prepared.forEach((name, p) -> retries.put(name, p.config().retry().orElse(RunRetry.NONE)));
      GraphRun run = new GraphRun(graph.name(), GraphRun.Mode.CLIENT_SIDE, names(order));
      ClientSide driver = new ClientSide(run, graph, order, jobs, retries, params, timeout);
      run.driver(driver);
      jobs.forEach((task, job) -> run.update(run.get(task).withJob(job)));
      driver.pump();
      return run;
    } finally {
      prepared.values().forEach(PreparedApp::close);
    }
  }

  private Map<String, PreparedApp> prepare(JobGraph graph) {
    Problems problems = new Problems();
    String location = "graphs." + graph.name();
    problems.addAll(graph.problems(location));
    Map<String, PreparedApp> prepared = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (GraphTask t : graph.tasks()) {
      if (!seen.add(t.name())) {
        continue;
      }
      JobConfig config = t.config();
      if (config.jobName().isEmpty()) {
        config = config.toBuilder().jobName(graph.name() + "-" + t.name()).build();
      }
      try {
        prepared.put(t.name(), deployer.prepare(t.app(), config));
      } catch (ValidationException e) {
        for (Problem p : e.problems()) {
          problems.add(
              location + ".tasks." + t.name() + " (" + p.location() + ")", p.message(), p.fix());
        }
      }
    }
    if (!problems.isEmpty()) {
      prepared.values().forEach(PreparedApp::close);
      problems.throwIfAny();
    }
    return prepared;
  }

  private GraphRun startNative(
      JobGraph graph,
      List<GraphTask> order,
      Map<String, PreparedApp> prepared,
      NativeGraphs platform,
      Map<String, String> params,
      Duration timeout) {
    List<NativeGraphs.Task> tasks = new ArrayList<>();
    for (GraphTask t : order) {
      PreparedApp p = prepared.get(t.name());
      tasks.add(new NativeGraphs.Task(t.name(), p.files(), p.config(), t.dependsOn(), t.runIf()));
    }
    DeploymentResult r = platform.deployGraph(graph.name(), tasks);
    log.info("graph {} deployed as job {} with {} tasks", graph.name(), r.jobId(), tasks.size());
    String runId = deployer.runJob(r.jobId(), params);
    GraphRun run = new GraphRun(graph.name(), GraphRun.Mode.NATIVE, names(order));
    run.runId(runId);
    run.driver(
        new GraphRun.Driver() {
          @Override
          public boolean cancel() {
            return deployer.cancelJob(runId);
          }

          @Override
          public Optional<List<TaskRun>> refresh() {
            return Optional.of(taskRuns(platform, runId, r.jobId()));
          }
        });
    deployer
        .watch(runId, timeout, s -> {})
        .whenComplete(
            (status, failure) -> {
              if (failure != null) {
                run.fail(failure);
                return;
              }
              try {
                run.replace(taskRuns(platform, runId, r.jobId()));
              } catch (RuntimeException e) {
                log.warn(
                    "graph {}: reading the task states of run {} failed", graph.name(), runId, e);
              }
              run.finish(
                  status.state() == RunState.SUCCEEDED && anyFailed(run.snapshot())
                      ? RunState.FAILED
                      : status.state());
            });
    return run;
  }

  private static boolean anyFailed(List<TaskRun> tasks) {
    return tasks.stream()
        .anyMatch(t -> t.state() == RunState.FAILED || t.state() == RunState.TIMED_OUT);
  }

  private static List<TaskRun> taskRuns(NativeGraphs platform, String runId, String jobId) {
    List<TaskRun> out = new ArrayList<>();
    for (NativeGraphs.TaskStatus s : platform.taskStatuses(runId)) {
      List<Attempt> attempts = new ArrayList<>();
      for (int i = 1; i <= s.attempts(); i++) {
        attempts.add(
            new Attempt(
                i,
                s.status().runId(),
                i == s.attempts() && s.status().isTerminal()
                    ? Optional.of(s.status())
                    : Optional.empty()));
      }
      RunState state = s.status().state();
      out.add(
          new TaskRun(
              s.task(),
              state,
              Optional.of(jobId),
              s.attempts() > 0 ? Optional.of(s.status().runId()) : Optional.empty(),
              attempts,
              s.status().error(),
              state == RunState.SKIPPED && s.status().platformState().contains("UPSTREAM_FAILED")));
    }
    return out;
  }

  private static List<String> names(List<GraphTask> tasks) {
    return tasks.stream().map(GraphTask::name).toList();
  }

  /** Kindling's own orchestration of one graph run. */
  private final class ClientSide implements GraphRun.Driver {
    private final GraphRun run;
    private final JobGraph graph;
    private final List<GraphTask> order;
    private final Map<String, String> jobs;
    private final Map<String, RunRetry> retries;
    private final Map<String, String> params;
    private final java.time.Instant deadline;

    // guarded by this
    private final Map<String, RetriedRun> running = new LinkedHashMap<>();
    private final Set<String> starting = new HashSet<>();
    // tasks submitted (or failed to submit): a platform's PENDING is not "not started"
    private final Set<String> started = new HashSet<>();
    private boolean cancelled;
    private boolean finished;

    ClientSide(
        GraphRun run,
        JobGraph graph,
        List<GraphTask> order,
        Map<String, String> jobs,
        Map<String, RunRetry> retries,
        Map<String, String> params,
        Duration timeout) {
      this.run = run;
      this.graph = graph;
      this.order = order;
      this.jobs = jobs;
      this.retries = retries;
      this.params = Map.copyOf(params);
      this.deadline = deployer.scheduler().now().plus(timeout);
    }

    /** Skips what can no longer run, starts what may, finishes the graph when all have ended. */
    void pump() {
      List<GraphTask> toStart = new ArrayList<>();
      RunState end = null;
      synchronized (this) {
        if (finished) {
          return;
        }
        boolean changed = true;
        while (changed) {
          changed = false;
          for (GraphTask t : order) {
            TaskRun tr = run.get(t.name());
            if (tr.state().isTerminal() || started.contains(t.name()) || !depsEnded(t)) {
              continue;
            }
            List<RunIf.Outcome> outcomes =
                t.dependsOn().stream().map(d -> run.get(d).outcome()).toList();
            if (cancelled) {
              skip(tr, "the graph was cancelled before the task started", false);
              changed = true;
            } else if (!t.runIf().holds(outcomes)) {
              boolean upstreamFailed = outcomes.contains(RunIf.Outcome.FAILED);
              skip(
                  tr,
                  upstreamFailed
                          && t.runIf() != RunIf.AT_LEAST_ONE_FAILED
                          && t.runIf() != RunIf.ALL_FAILED
                      ? "upstream failed (run_if " + t.runIf() + ")"
                      : "run_if " + t.runIf() + " did not hold",
                  upstreamFailed
                      && t.runIf() != RunIf.AT_LEAST_ONE_FAILED
                      && t.runIf() != RunIf.ALL_FAILED);
              changed = true;
            }
          }
        }
        int active = running.size() + starting.size();
        for (GraphTask t : order) {
          if (cancelled || active >= graph.maxParallel()) {
            break;
          }
          if (!run.get(t.name()).state().isTerminal()
              && !started.contains(t.name())
              && depsEnded(t)) {
            started.add(t.name());
            starting.add(t.name());
            toStart.add(t);
            active++;
          }
        }
        if (running.isEmpty()
            && starting.isEmpty()
            && run.snapshot().stream().allMatch(x -> x.state().isTerminal())) {
          finished = true;
          end = GraphRun.outcome(run.snapshot(), cancelled);
        }
      }
      if (end != null) {
        log.info("graph {} ended {}", graph.name(), end);
        run.finish(end);
        return;
      }
      for (GraphTask t : toStart) {
        startTask(t);
      }
    }

    private boolean depsEnded(GraphTask t) {
      return t.dependsOn().stream().allMatch(d -> run.get(d).state().isTerminal());
    }

    private void skip(TaskRun tr, String why, boolean upstreamFailed) {
      log.info("graph {}: task {} skipped: {}", graph.name(), tr.task(), why);
      run.update(
          new TaskRun(
              tr.task(),
              RunState.SKIPPED,
              tr.jobId(),
              tr.runId(),
              tr.attempts(),
              Optional.of(why),
              upstreamFailed));
    }

    private void startTask(GraphTask t) {
      Duration left = Duration.between(deployer.scheduler().now(), deadline);
      RetriedRun rr;
      try {
        rr =
            deployer.start(
                jobs.get(t.name()),
                params,
                retries.get(t.name()),
                left.isNegative() ? Duration.ZERO : left,
                s -> onStatus(t.name(), s));
      } catch (RuntimeException e) {
        log.warn("graph {}: task {} could not start: {}", graph.name(), t.name(), e.getMessage());
        synchronized (this) {
          starting.remove(t.name());
        }
        TaskRun tr = run.get(t.name());
        run.update(
            new TaskRun(
                t.name(),
                RunState.FAILED,
                tr.jobId(),
                tr.runId(),
                tr.attempts(),
                Optional.of("could not start: " + e.getMessage()),
                false));
        pump();
        return;
      }
      boolean cancelNow;
      synchronized (this) {
        starting.remove(t.name());
        running.put(t.name(), rr);
        cancelNow = cancelled;
      }
      log.info("graph {}: task {} started as {}", graph.name(), t.name(), rr.runId());
      run.update(withRun(run.get(t.name()), rr, null));
      if (cancelNow) {
        rr.cancel();
      }
      rr.future().whenComplete((status, failure) -> ended(t.name(), rr, status, failure));
    }

    private void onStatus(String task, JobStatus s) {
      if (s.isTerminal()) {
        return; // recorded when the (last) attempt ends
      }
      TaskRun tr = run.get(task);
      if (!tr.state().isTerminal()) {
        run.update(
            new TaskRun(
                task,
                s.state(),
                tr.jobId(),
                Optional.of(s.runId()),
                tr.attempts(),
                tr.message(),
                false));
      }
    }

    private void ended(String task, RetriedRun rr, JobStatus status, Throwable failure) {
      Throwable cause =
          failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause()
              : failure;
      if (cause instanceof TimedOutException) {
        synchronized (this) {
          finished = true;
        }
        run.fail(
            new TimedOutException(
                "graph "
                    + graph.name()
                    + " is still running task "
                    + task
                    + " at its deadline; the task goes on",
                cause));
        return;
      }
      synchronized (this) {
        running.remove(task);
      }
      TaskRun tr = run.get(task);
      if (cause != null) {
        run.update(
            new TaskRun(
                task,
                RunState.FAILED,
                tr.jobId(),
                Optional.of(rr.runId()),
                rr.attempts(),
                Optional.of("waiting failed: " + cause.getMessage()),
                false));
      } else {
        log.info(
            "graph {}: task {} ended {} after {} attempt(s)",
            graph.name(),
            task,
            status.state(),
            rr.attempts().size());
        run.update(withRun(tr, rr, status));
      }
      pump();
    }

    private TaskRun withRun(TaskRun tr, RetriedRun rr, JobStatus end) {
      RunState state = end == null ? RunState.PENDING : end.state();
      if (end == null && !tr.state().equals(RunState.PENDING)) {
        state = tr.state();
      }
      if (end == null && state == RunState.PENDING) {
        state = RunState.QUEUED; // submitted, no status yet
      }
      return new TaskRun(
          tr.task(),
          state,
          tr.jobId(),
          Optional.of(rr.runId()),
          rr.attempts(),
          end == null ? tr.message() : end.error(),
          false);
    }

    @Override
    public boolean cancel() {
      List<RetriedRun> toCancel;
      synchronized (this) {
        if (finished) {
          return false;
        }
        cancelled = true;
        toCancel = new ArrayList<>(running.values());
      }
      for (RetriedRun rr : toCancel) {
        try {
          rr.cancel();
        } catch (KindlingException e) {
          log.warn("graph {}: cancelling {} failed: {}", graph.name(), rr.runId(), e.getMessage());
        }
      }
      pump();
      return true; // the graph was running: its tasks are cancelled or skipped
    }
  }
}
