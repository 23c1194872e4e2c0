package dev.kindling.core.deploy;

import dev.kindling.core.app.AppFile;
import dev.kindling.core.app.AppManifest;
import dev.kindling.core.app.DataApp;
import dev.kindling.core.app.LoadOptions;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.JobConfigs;
import dev.kindling.core.config.RunRetry;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.PollOptions;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunPage;
import dev.kindling.core.run.RunPoller;
import dev.kindling.core.run.RunResult;
import dev.kindling.core.run.RunResults;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.core.time.Scheduler;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys data apps as Spark jobs and runs them, on whichever platform it was given. It validates
 * the app and the config completely before any network call, adds the bootstrap shim to Python
 * apps, and hands the files to the {@link PlatformService}. It never asks which platform it has.
 *
 * <pre>{@code
 * try (Kindling k = Kindling.fromConfig(Path.of("kindling.yaml"), "dev")) {
 *   DataAppDeployer d = k.deployer();
 *   DeploymentResult r = d.deployAsJob(Path.of("examples/hello-python"), JobConfig.builder().build());
 *   JobStatus s = d.start(r.jobId(), Map.of("greeting", "hi")).await(Duration.ofMinutes(30));
 * }
 * }</pre>
 */
public final class DataAppDeployer {
  private static final Logger log = LoggerFactory.getLogger(DataAppDeployer.class);

  /** Unchanged runs are polled less and less often, but at least this often. */
  private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(30);

  private final PlatformService platform;
  private final JobConfigValidator rules;
  private final TargetConfig target;
  private final RunPoller poller;
  private final Scheduler scheduler;
  private final PlatformStatusSource statuses;

  @Inject
  public DataAppDeployer(
      PlatformService platform,
      JobConfigValidator rules,
      TargetConfig target,
      RunPoller poller,
      Scheduler scheduler) {
    this.platform = Objects.requireNonNull(platform, "platform");
    this.rules = Objects.requireNonNull(rules, "rules");
    this.target = Objects.requireNonNull(target, "target");
    this.poller = Objects.requireNonNull(poller, "poller");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.statuses = new PlatformStatusSource(platform);
  }

  /** The platform this deployer deploys to. */
  public PlatformService platform() {
    return platform;
  }

  /** The target this deployer was built for. */
  public TargetConfig target() {
    return target;
  }

  /**
   * Loads and checks an app and a config exactly as a deploy would, without touching the platform.
   * Throws one {@link ValidationException} naming every problem. The caller closes the result.
   */
  public PreparedApp prepare(Path app, JobConfig config) {
    return prepare(app, config, false);
  }

  /**
   * As {@link #prepare(Path, JobConfig)}; with {@code backgroundHashing}, files the hash cache does
   * not know are hashed after it returns, while the deploy goes on (see {@link
   * LoadOptions#withBackgroundHashing(boolean)}).
   */
  private PreparedApp prepare(Path app, JobConfig config, boolean backgroundHashing) {
    Problems problems = new Problems();
    JobConfig effective = config.withDefaults(target.jobDefaults());
    DataApp loaded = null;
    try {
      loaded =
          DataApp.load(
              app,
              LoadOptions.defaults()
                  .withPlatform(platform.platformId())
                  .withBackgroundHashing(backgroundHashing));
    } catch (ValidationException e) {
      problems.addAll(e.problems());
    }
    if (loaded != null && effective.jobName().isEmpty()) {
      effective = effective.toBuilder().jobName(loaded.name()).build();
    }
    problems.addAll(JobConfigs.validate(effective, rules, "job config"));
    AppFiles files = null;
    if (loaded != null) {
      files = toAppFiles(loaded, effective, problems);
    }
    if (!problems.isEmpty()) {
      if (loaded != null) {
        loaded.close();
      }
      throw new ValidationException(problems.asList());
    }
    return new PreparedApp(loaded, files, effective);
  }

  /** Checks an app and a config; throws a {@link ValidationException} naming every problem. */
  public void validate(Path app, JobConfig config) {
    prepare(app, config).close();
  }

  /** Deploys {@code app} (a directory or a {@code .kda}) as the job named in {@code config}. */
  public DeploymentResult deployAsJob(Path app, JobConfig config) {
    return deployAsJob(app, config, DeployListener.NONE);
  }

  /** Deploys, reporting upload progress to {@code listener}. */
  public DeploymentResult deployAsJob(Path app, JobConfig config, DeployListener listener) {
    // Files are hashed while the deploy looks up the job and lists the stored blobs, and each is
    // uploaded as soon as its hash (its blob's name) is known.
    try (PreparedApp prepared = prepare(app, config, true)) {
      String job = prepared.config().jobName().orElseThrow();
      log.info(
          "deploying {} {} as job {} to {} ({})",
          prepared.files().appName(),
          prepared.files().version(),
          job,
          target.name(),
          platform.platformId());
      DeploymentResult result =
          platform.deploySparkJob(prepared.files().withListener(listener), prepared.config());
      log.info(
          "deployed job {} release {}: {} of {} files uploaded ({} bytes)",
          result.jobId(),
          result.release(),
          result.filesUploaded(),
          result.filesTotal(),
          result.bytesUploaded());
      prepared
          .config()
          .schedule()
          .ifPresent(
              schedule -> {
                ScheduleInfo set = platform.setSchedule(result.jobId(), schedule);
                log.info("scheduled job {}: {}", result.jobId(), set.summary());
              });
      return result;
    }
  }

  /**
   * Sets the job's schedule, replacing any it has; throws a {@code ValidationException} naming
   * every problem (before any network call) when the schedule is invalid or the platform cannot
   * represent it. See docs/scheduling.md.
   */
  public ScheduleInfo setSchedule(String jobId, JobSchedule schedule) {
    Problems problems = new Problems();
    problems.addAll(schedule.problems("schedule"));
    problems.throwIfAny();
    return platform.setSchedule(jobId, schedule);
  }

  /** The job's schedule as the platform holds it, or empty when it has none. */
  public Optional<ScheduleInfo> getSchedule(String jobId) {
    return platform.getSchedule(jobId);
  }

  /** Pauses the job's schedule; false when the job has none. */
  public boolean pauseSchedule(String jobId) {
    return platform.enableSchedule(jobId, false);
  }

  /** Resumes the job's paused schedule; false when the job has none. */
  public boolean resumeSchedule(String jobId) {
    return platform.enableSchedule(jobId, true);
  }

  /** Removes the job's schedule; false when it had none. */
  public boolean removeSchedule(String jobId) {
    return platform.removeSchedule(jobId);
  }

  /** Starts a run of a deployed job; returns its run id. */
  public String runJob(String jobId, Map<String, String> params) {
    checkParams(params);
    String runId = platform.runSparkJob(jobId, params);
    log.info("{} submitted (job {})", runId, jobId);
    return runId;
  }

  /** Starts a run of a deployed job and returns a handle to it. */
  public RunHandle start(String jobId, Map<String, String> params) {
    return new RunHandle(this, runJob(jobId, params));
  }

  /**
   * Starts a run of a deployed job that is run again as {@code retry} says when it fails, and waits
   * for it without blocking; {@code timeout} bounds every attempt and backoff together. On a
   * platform that {@linkplain PlatformService#retriesRunsNatively() retries natively} (the policy
   * was mapped onto the job at deploy), Kindling submits once and the platform retries.
   */
  public RetriedRun start(
      String jobId,
      Map<String, String> params,
      RunRetry retry,
      Duration timeout,
      Consumer<JobStatus> onChange) {
    RunRetry effective = platform.retriesRunsNatively() ? RunRetry.NONE : retry;
    return new RetriedRun(this, jobId, params, effective, scheduler.now().plus(timeout), onChange)
        .start();
  }

  /** The clock runs are waited on. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** A handle to an existing run, from its id alone (e.g. one started by another process). */
  public RunHandle attach(String runId) {
    return new RunHandle(this, runId);
  }

  public JobStatus getJobStatus(String runId) {
    return platform.getJobStatus(runId);
  }

  /** Requests cancellation; false when the run had already ended. */
  public boolean cancelJob(String runId) {
    boolean cancelled = platform.cancelJob(runId);
    log.info("{} cancel {}", runId, cancelled ? "requested" : "not needed: the run had ended");
    return cancelled;
  }

  public RunLogs logs(String runId) {
    return platform.logs(runId);
  }

  /**
   * The run's result: its final state, exit code, error and traceback, output tail and the JSON
   * value the app returned, read from the run's {@code result.json}. A run that has not ended (or
   * wrote no result.json) gets a result from its status alone ({@link RunResult#resultWritten()}
   * false).
   *
   * @throws dev.kindling.core.error.NotFoundException for an unknown run id
   * @throws KindlingException when the run's result.json is corrupt
   */
  public RunResult result(String runId) {
    JobStatus status = platform.getJobStatus(runId);
    Optional<String> json =
        status.isTerminal() ? platform.resultJson(runId) : Optional.<String>empty();
    return RunResults.parse(status, json);
  }

  /**
   * One page of a job's run history, newest first, with each run's queue time, run time, final
   * state, attempts and the bytes of the release it used.
   *
   * @param limit 1 to {@link RunPage#MAX_LIMIT}
   * @param pageToken {@code null} for the first page, else the last page's next token
   * @throws ValidationException for a limit out of range, before any request
   */
  public RunPage listRuns(String jobId, int limit, String pageToken) {
    Problems problems = new Problems();
    if (jobId == null || jobId.isBlank()) {
      problems.add("job", "is empty", "name a job id (see `kindling jobs`)");
    }
    if (limit < 1 || limit > RunPage.MAX_LIMIT) {
      problems.add("limit", "is " + limit + ", out of range", "use 1 to " + RunPage.MAX_LIMIT);
    }
    problems.throwIfAny();
    return platform.listRuns(
        jobId, limit, pageToken == null || pageToken.isBlank() ? null : pageToken);
  }

  public List<JobInfo> listJobs() {
    return platform.listJobs();
  }

  public boolean deleteJob(String jobId) {
    return platform.deleteJob(jobId);
  }

  /**
   * Waits until the run is terminal, polling at the platform's interval from one shared scheduler.
   *
   * @throws dev.kindling.core.error.TimedOutException when {@code timeout} passes first; the run
   *     keeps running
   */
  public JobStatus awaitRun(String runId, Duration timeout) {
    return awaitRun(runId, timeout, s -> {});
  }

  /** As {@link #awaitRun(String, Duration)}, calling {@code onChange} on every state change. */
  public JobStatus awaitRun(String runId, Duration timeout, Consumer<JobStatus> onChange) {
    CompletableFuture<JobStatus> future = watch(runId, timeout, onChange);
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(false);
      throw RunHandle.interrupted(runId, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof KindlingException ke) {
        throw ke;
      }
      throw new KindlingException("waiting for run " + runId + " failed: " + cause, cause);
    } catch (CancellationException e) {
      throw new KindlingException("the wait for run " + runId + " was cancelled", e);
    }
  }

  /**
   * Watches a run without blocking; the future completes with the terminal status. Runs the
   * platform can list together ({@link PlatformService#statusBatchKey}) are polled with one listing
   * per interval for all of them (see {@link RunPoller}).
   */
  public CompletableFuture<JobStatus> watch(
      String runId, Duration timeout, Consumer<JobStatus> onChange) {
    Duration interval = platform.pollInterval();
    Duration cap = interval.multipliedBy(12);
    PollOptions options =
        PollOptions.defaults()
            .withInterval(interval)
            .withMaxInterval(cap.compareTo(MAX_POLL_INTERVAL) > 0 ? MAX_POLL_INTERVAL : cap)
            .withDeadline(scheduler.now().plus(timeout));
    return poller.watch(
        runId,
        statuses,
        options,
        s -> {
          log.info("{} {}{}", s.runId(), s.state(), s.error().map(e -> ": " + e).orElse(""));
          onChange.accept(s);
        });
  }

  private AppFiles toAppFiles(DataApp app, JobConfig config, Problems problems) {
    AppManifest m = app.manifest();
    List<DeployFile> files = new ArrayList<>(app.files());
    Optional<String> entryPoint = Optional.empty();
    Optional<String> mainClass = Optional.empty();
    Optional<String> appJar = Optional.empty();
    String launcher;
    if (m.runtime() == AppFiles.Runtime.PYTHON) {
      String entry = config.entryPoint().orElse(m.entryPoint());
      if (app.files().stream().noneMatch(f -> f.path().equals(entry))) {
        problems.add(
            "job config: entry_point",
            "'" + entry + "' is not among the app's deployable files",
            "use one of " + app.files().stream().map(AppFile::path).limit(10).toList());
      }
      if (app.files().stream().anyMatch(f -> f.path().equals(BootstrapShim.FILE_NAME))) {
        problems.add(
            app.name() + "/" + BootstrapShim.FILE_NAME,
            "the app has a file named like Kindling's bootstrap shim",
            "rename it; Kindling adds its own " + BootstrapShim.FILE_NAME);
      }
      files.add(BootstrapShim.generate());
      entryPoint = Optional.of(entry);
      launcher = BootstrapShim.FILE_NAME;
    } else {
      mainClass = config.mainClass().or(m::mainClass);
      if (mainClass.isEmpty()) {
        problems.add("app.yaml: main_class", "is required for runtime: jvm", "set main_class");
      }
      appJar = Optional.of(m.entryPoint());
      launcher = m.entryPoint();
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    m.metadata().forEach((k, v) -> metadata.put(k, String.valueOf(v)));
    return new AppFiles(
        app.name(),
        m.version(),
        m.runtime(),
        files,
        entryPoint,
        mainClass,
        appJar,
        m.jars(),
        launcher,
        metadata,
        DeployListener.NONE);
  }

  private static void checkParams(Map<String, String> params) {
    Problems problems = new Problems();
    params.forEach(
        (k, v) -> {
          if (k == null
              || k.isBlank()
              || k.contains("=")
              || k.chars().anyMatch(Character::isWhitespace)) {
            problems.add(
                "parameter '" + k + "'",
                "is not a valid parameter name",
                "use a non-empty name without '=' or spaces");
          }
          if (v == null) {
            problems.add("parameter '" + k + "'", "has no value", "give it a value");
          }
        });
    problems.throwIfAny();
  }

  /**
   * A validated app ready to deploy: the loaded app, its files with the shim, and the effective
   * config (target defaults applied, job name defaulted to the app name). Close it to delete the
   * temporary files of a {@code .kda}.
   *
   * @param app the loaded app
   * @param files what the platform will deploy
   * @param config the effective job config
   */
  public record PreparedApp(DataApp app, AppFiles files, JobConfig config)
      implements AutoCloseable {
    @Override
    public void close() {
      app.close();
    }
  }
}
