package dev.kindling.databricks;

import com.databricks.sdk.WorkspaceClient;
import com.databricks.sdk.core.DatabricksError;
import com.databricks.sdk.core.DatabricksException;
import com.databricks.sdk.core.http.Request;
import com.databricks.sdk.service.jobs.BaseJob;
import com.databricks.sdk.service.jobs.Job;
import com.databricks.sdk.service.jobs.JobSettings;
import com.databricks.sdk.service.jobs.ListJobsRequest;
import com.databricks.sdk.service.jobs.PauseStatus;
import com.databricks.sdk.service.jobs.ResetJob;
import com.databricks.sdk.service.jobs.RunNow;
import com.databricks.sdk.service.jobs.RunOutput;
import com.databricks.sdk.service.jobs.Task;
import com.databricks.sdk.service.jobs.UpdateJob;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.BackgroundCall;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.deploy.RemoteLayout;
import dev.kindling.core.deploy.RunFiles;
import dev.kindling.core.deploy.RunTags;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunMetrics;
import dev.kindling.core.run.RunPage;
import dev.kindling.core.run.RunResults;
import dev.kindling.core.run.RunState;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.NativeGraphs;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.databricks.internal.RawJson;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azure Databricks on the Databricks SDK for Java.
 *
 * <ul>
 *   <li><b>Deploy</b> publishes the release to the artifacts root (a Unity Catalog volume through
 *       the Files API, or DBFS), then creates the job, or {@code reset}s the job Kindling deployed
 *       under the same name before (found by name and Kindling's ownership tag), so a redeploy
 *       never makes a duplicate. The job's one task runs the bootstrap shim with the release's
 *       arguments.
 *   <li><b>Run</b> is {@code run-now} with an idempotency token, passing the run tag and the run's
 *       parameters as the task's parameters. The run id is {@code <job run id>:<run tag>}.
 *   <li><b>Status</b> comes from {@code runs/get}, <b>cancel</b> is {@code runs/cancel},
 *       <b>logs</b> are {@code runs/get-output} of the task run plus the shim's {@code
 *       result.json}.
 * </ul>
 *
 * <p>The SDK client is built on first use. Every SDK error is translated by {@link
 * DatabricksErrors}; Databricks' {@code 400 INVALID_PARAMETER_VALUE} for a missing job or run
 * becomes a {@link NotFoundException}.
 */
public final class DatabricksPlatformService implements PlatformService {
  /** The platform id. */
  public static final String ID = "databricks";

  /** The most bytes of run parameters Databricks accepts ({@code python_params} as JSON). */
  static final int MAX_PARAMS_JSON_BYTES = 10_000;

  private static final Logger log = LoggerFactory.getLogger(DatabricksPlatformService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TERMINAL_LIFE_CYCLE =
      Set.of("TERMINATED", "SKIPPED", "INTERNAL_ERROR");

  private final DatabricksSettings settings;
  private final JobConfig defaults;
  private final Supplier<WorkspaceClient> client;
  private final Clock clock;
  private final Map<ArtifactsRoot, ArtifactStore> stores = new ConcurrentHashMap<>();

  /**
   * A service for one target.
   *
   * @param settings the target's settings
   * @param defaults the target's job defaults, applied under every deploy's config
   * @param clock for run tags and release times
   */
  public DatabricksPlatformService(DatabricksSettings settings, JobConfig defaults, Clock clock) {
    this(settings, defaults, new WorkspaceClients(settings), clock);
  }

  /**
   * A service that authenticates every request with a token from {@code tokens} instead of the
   * target's {@code auth} block (for embedding with your own credential, such as an OAuth
   * client-credentials flow): tokens are cached and refreshed before they expire on {@code
   * scheduler}'s clock.
   *
   * @param scope the scope to ask {@code tokens} for
   */
  public DatabricksPlatformService(
      DatabricksSettings settings,
      JobConfig defaults,
      Clock clock,
      dev.kindling.core.http.TokenProvider tokens,
      String scope,
      dev.kindling.core.time.Scheduler scheduler) {
    this(
        settings,
        defaults,
        new WorkspaceClients(settings, new TokenCredentials(tokens, scope, scheduler)),
        clock);
  }

  DatabricksPlatformService(
      DatabricksSettings settings,
      JobConfig defaults,
      Supplier<WorkspaceClient> client,
      Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String platformId() {
    return ID;
  }

  @Override
  public Duration pollInterval() {
    return settings.pollInterval();
  }

  /** The artifact store of the target's artifacts root. */
  public ArtifactStore store() {
    return store(settings.artifactsRoot());
  }

  ArtifactStore store(ArtifactsRoot root) {
    return stores.computeIfAbsent(
        root,
        r ->
            r.kind() == ArtifactsRoot.Kind.VOLUME
                ? new VolumeArtifactStore(r, client)
                : new DbfsArtifactStore(r, client));
  }

  // ------------------------------------------------------------------------------------------
  // Deploy

  @Override
  public DeploymentResult deploySparkJob(AppFiles app, JobConfig requested) {
    JobConfig config = requested.withDefaults(defaults);
    String name = config.jobName().orElse(app.appName());
    ArtifactsRoot root = artifactsRoot(config);
    JobSpecs.check(config); // before any upload
    ArtifactStore store = store(root);

    // the job is looked up by name while the release is published (it does not depend on it)
    Release release;
    long jobId;
    try (BackgroundCall<Optional<BaseJob>> lookup =
        BackgroundCall.start("looking up job " + name, () -> findKindlingJob(name))) {
      release = new ReleasePublisher(store, clock).publish(app);
      JobSettings job = JobSpecs.settings(app, release, config, store, root);
      jobId = upsert(name, job, "release " + release.id() + " of " + app.appName(), lookup.join());
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("host", settings.host());
    metadata.put("job_url", settings.host() + "/jobs/" + jobId);
    metadata.put("artifacts_root", root.path());
    config.clusterId().ifPresent(c -> metadata.put("cluster_id", c));
    return new DeploymentResult(
        Long.toString(jobId),
        store.locate(release.manifestPath()),
        release.id(),
        ID,
        release.filesTotal(),
        release.filesUploaded(),
        release.bytesUploaded(),
        metadata);
  }

  /**
   * Creates the job named {@code name}, or resets the one Kindling deployed under that name; when a
   * concurrent deploy created one too, the oldest is kept and updated and ours removed.
   */
  private long upsert(String name, JobSettings job, String what, Optional<BaseJob> existing) {
    long jobId;
    if (existing.isPresent() && reset(name, job, existing.get())) {
      jobId = existing.get().getJobId();
      log.info("job {} ({}) now runs {}", jobId, name, what);
    } else {
      jobId = createReconciling(name, job);
      log.info("job {} ({}) created for {}", jobId, name, what);
      // Databricks allows two jobs with one name: when a concurrent deploy created one too, the
      // oldest is kept (as findJob picks it), updated with these settings, and ours removed
      Optional<Long> oldest = findJob(name);
      if (oldest.isPresent() && oldest.get() < jobId) {
        long created = jobId;
        long kept = oldest.get();
        DatabricksErrors.retryingRun(
            "updating job " + kept + " (" + name + ")",
            () -> client.get().jobs().reset(new ResetJob().setJobId(kept).setNewSettings(job)));
        DatabricksErrors.run(
            "deleting duplicate job " + created, () -> client.get().jobs().delete(created));
        log.info(
            "job {} ({}) was created concurrently; kept {} and removed {}",
            kept,
            name,
            kept,
            created);
        jobId = kept;
      }
    }
    return jobId;
  }

  /**
   * Resets the job found by name to {@code job}, keeping its schedule unless {@code job} has one;
   * false when the job is gone (deleted since it was looked up, which ran alongside the upload).
   */
  private boolean reset(String name, JobSettings job, BaseJob found) {
    long id = found.getJobId();
    // a redeploy keeps the schedule set earlier (kindling schedule set) unless the config has one
    JobSettings before = found.getSettings();
    boolean keepsSchedule = !DatabricksSchedules.has(job);
    var ownSchedule = job.getSchedule();
    var ownTrigger = job.getTrigger();
    if (keepsSchedule) {
      job.setSchedule(before.getSchedule());
      job.setTrigger(before.getTrigger());
    }
    try {
      DatabricksErrors.retryingRun(
          "updating job " + id + " (" + name + ")",
          () -> client.get().jobs().reset(new ResetJob().setJobId(id).setNewSettings(job)));
      return true;
    } catch (NotFoundException e) {
      log.info("job {} ({}) was deleted while the release was uploaded; creating it", id, name);
      job.setSchedule(ownSchedule);
      job.setTrigger(ownTrigger);
      return false;
    }
  }

  /**
   * Creates the job. When the create fails ambiguously (no answer, or a gateway error: the job may
   * exist), the Kindling jobs of that name are looked up instead of resending blindly; only when
   * there is none is it created once more. The caller resets a found job to these settings.
   */
  private long createReconciling(String name, JobSettings job) {
    try {
      return DatabricksErrors.retryingWhenThrottled(
          "creating job " + name,
          () -> client.get().jobs().create(JobSpecs.create(job)).getJobId());
    } catch (dev.kindling.core.error.TransientException e) {
      int status = e.httpStatus().orElse(0);
      // the SDK reports a connection that failed to answer as HTTP 523 IO_ERROR
      if (status != 0 && status != 502 && status != 503 && status != 504 && status != 523) {
        throw e;
      }
      Optional<Long> created = findJob(name);
      if (created.isPresent()) {
        long found = created.get();
        log.info(
            "creating job {} got no clear answer ({}); job {} exists, so it is updated, not"
                + " created again",
            name,
            e.getMessage(),
            found);
        DatabricksErrors.retryingRun(
            "updating job " + found + " (" + name + ")",
            () -> client.get().jobs().reset(new ResetJob().setJobId(found).setNewSettings(job)));
        return found;
      }
      log.info(
          "creating job {} got no clear answer ({}); no such job exists, creating it again",
          name,
          e.getMessage());
      return DatabricksErrors.retryingWhenThrottled(
          "creating job " + name,
          () -> client.get().jobs().create(JobSpecs.create(job)).getJobId());
    }
  }

  private ArtifactsRoot artifactsRoot(JobConfig config) {
    Optional<String> raw = config.artifactsPath();
    if (raw.isEmpty()) {
      return settings.artifactsRoot();
    }
    return ArtifactsRoot.parse(raw.get())
        .orElseThrow(
            () ->
                new ValidationException(
                    Problem.of(
                        "job config: artifacts_path",
                        "`" + raw.get() + "` is not a volume or DBFS directory",
                        "use " + ArtifactsRoot.expected())));
  }

  /**
   * The id of the job Kindling deployed under {@code name}: jobs are listed by name (every page)
   * and only those carrying Kindling's ownership tag count. When a race left several, the oldest
   * (lowest id) is the one kept up to date.
   */
  private Optional<Long> findJob(String name) {
    return findKindlingJob(name).map(BaseJob::getJobId);
  }

  /** Like {@link #findJob}, with the job's settings as the listing gives them (no tasks). */
  private Optional<BaseJob> findKindlingJob(String name) {
    List<BaseJob> found =
        DatabricksErrors.retrying(
            "looking up job " + name,
            () -> {
              List<BaseJob> jobs = new ArrayList<>();
              for (BaseJob j :
                  client.get().jobs().list(new ListJobsRequest().setName(name).setLimit(100L))) {
                if (JobSpecs.isKindling(j)
                    && j.getSettings() != null
                    && name.equalsIgnoreCase(j.getSettings().getName())) {
                  jobs.add(j);
                }
              }
              return jobs;
            });
    if (found.size() > 1) {
      log.warn(
          "{} Kindling jobs are named {} ({}); updating the oldest, delete the others",
          found.size(),
          name,
          found.stream().map(BaseJob::getJobId).toList());
    }
    return found.stream().min(java.util.Comparator.comparing(BaseJob::getJobId));
  }

  // ------------------------------------------------------------------------------------------
  // Run

  @Override
  public String runSparkJob(String jobId, Map<String, String> params) {
    long id = RunId.parseJobId(jobId);
    Job job = jobJustDeployed(id);
    requireKindling(job, id);
    if (GraphJobs.isGraph(job.getSettings())) {
      return runGraph(id, params);
    }
    Task task =
        JobSpecs.task(job.getSettings())
            .orElseThrow(() -> new KindlingException("job " + id + " has no task; deploy again"));
    ShimTokens tokens =
        JobSpecs.tokens(task)
            .orElseThrow(
                () ->
                    new KindlingException(
                        "job " + id + " does not run a Kindling release; deploy it again"));
    boolean jvm = task.getSparkJarTask() != null;
    Map<String, String> merged = new LinkedHashMap<>(tokens.parameters());
    merged.putAll(params);
    String runTag = RunTags.newTag(clock);
    List<String> args =
        ShimTokens.forRun(tokens.root(), tokens.app(), tokens.release(), runTag, merged, jvm);
    checkParams(args);

    RunNow request = new RunNow().setJobId(id).setIdempotencyToken("kindling-" + runTag);
    if (jvm) {
      request.setJarParams(args);
    } else {
      request.setPythonParams(args);
    }
    long runId =
        DatabricksErrors.retrying(
            "starting a run of job " + id,
            () -> client.get().jobs().runNow(request).getResponse().getRunId());
    String kindlingId = RunId.of(runId, runTag).toString();
    log.info("{} submitted: job {} release {}", kindlingId, id, tokens.release());
    return kindlingId;
  }

  /**
   * Runs a graph job: every task gets the run tag through the job parameter {@value
   * GraphJobs#RUN_TAG_PARAM}; its parameters are its own (a graph run takes none).
   */
  private String runGraph(long id, Map<String, String> params) {
    if (!params.isEmpty()) {
      throw new ValidationException(
          Problem.of(
              "run parameters",
              "a Databricks job graph takes no run parameters: each task runs with the"
                  + " `parameters` of its job config",
              "set the values as `parameters` of the graph's tasks in kindling.yaml"));
    }
    String runTag = RunTags.newTag(clock);
    RunNow request =
        new RunNow()
            .setJobId(id)
            .setIdempotencyToken("kindling-" + runTag)
            .setJobParameters(Map.of(GraphJobs.RUN_TAG_PARAM, runTag));
    long runId =
        DatabricksErrors.retrying(
            "starting a run of graph job " + id,
            () -> client.get().jobs().runNow(request).getResponse().getRunId());
    String kindlingId = RunId.of(runId, runTag).toString();
    log.info("{} submitted: graph job {}", kindlingId, id);
    return kindlingId;
  }

  /**
   * The job, asked again every second for up to 15 s while it answers "not found": a job created a
   * moment ago may not be readable yet.
   */
  private Job jobJustDeployed(long id) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try {
        return DatabricksErrors.retrying("getting job " + id, () -> client.get().jobs().get(id));
      } catch (dev.kindling.core.error.NotFoundException e) {
        if (System.nanoTime() + 1_000_000_000L - deadline > 0) {
          throw e;
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Databricks limits legacy task parameters to ASCII and 10,000 bytes of JSON. */
  private static void checkParams(List<String> args) {
    int bytes = 2;
    for (String a : args) {
      for (int i = 0; i < a.length(); i++) {
        if (a.charAt(i) > 0x7e || (a.charAt(i) < 0x20 && a.charAt(i) != '\t')) {
          throw new ValidationException(
              Problem.of(
                  "run parameters",
                  "Databricks passes run parameters as python_params/jar_params, which must be"
                      + " printable ASCII; '"
                      + a.substring(0, a.indexOf('=') + 1)
                      + "...' is not",
                  "pass non-ASCII values in a file (e.g. on the volume) and its path as the"
                      + " parameter"));
        }
      }
      bytes += a.length() + 3 + (int) a.chars().filter(c -> c == '"' || c == '\\').count();
    }
    if (bytes > MAX_PARAMS_JSON_BYTES) {
      throw new ValidationException(
          Problem.of(
              "run parameters",
              "the run's parameters take "
                  + bytes
                  + " bytes; Databricks allows "
                  + MAX_PARAMS_JSON_BYTES,
              "pass fewer or shorter parameters (e.g. a path to a file holding the values)"));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Status, cancel, logs

  @Override
  public JobStatus getJobStatus(String runId) {
    RunId id = RunId.parse(runId);
    return status(runId, id, getRun(id));
  }

  /**
   * The status of a run from its {@code runs/get} JSON. Only a run that failed or timed out needs
   * more requests (its {@code result.json} and task output); for an active run this makes none.
   */
  private JobStatus status(String runId, RunId id, JsonNode run) {
    RunStates.Mapped m = RunStates.map(run);
    if (m.platformState().contains("SUCCESS_WITH_FAILURES")) {
      log.warn("{} succeeded with failures: some tasks failed", runId);
    }
    Optional<String> error = Optional.empty();
    if (run.path("tasks").size() > 1
        && (m.state() == RunState.FAILED || m.state() == RunState.TIMED_OUT)) {
      error = GraphJobs.failedTasks(run).or(m::message);
    } else if (m.state() == RunState.FAILED || m.state() == RunState.TIMED_OUT) {
      error = failureReason(id, run).or(m::message).or(() -> Optional.of(m.platformState()));
    } else if (m.state() == RunState.CANCELLED || m.state() == RunState.SKIPPED) {
      error = m.message();
    }
    return new JobStatus(
        runId,
        m.state(),
        m.platformState(),
        millis(run.path("start_time")),
        m.state().isTerminal() ? millis(run.path("end_time")) : Optional.empty(),
        error,
        text(run.path("run_page_url")));
  }

  /** The app's error from {@code result.json}, else the task output's {@code error}. */
  private Optional<String> failureReason(RunId id, JsonNode run) {
    Optional<String> fromResult = resultJson(id, run).flatMap(RunResults::error);
    if (fromResult.isPresent()) {
      return fromResult;
    }
    return taskRunId(run).flatMap(this::output).flatMap(o -> Optional.ofNullable(o.getError()));
  }

  @Override
  public boolean cancelJob(String runId) {
    RunId id = RunId.parse(runId);
    JsonNode run = getRun(id);
    if (isTerminal(run)) {
      return false;
    }
    // asynchronous: the run goes through TERMINATING; a wait sees CANCELLED later
    DatabricksErrors.retryingRun(
        "cancelling run " + id.jobRunId(), () -> client.get().jobs().cancelRun(id.jobRunId()));
    log.info("{} cancel requested", runId);
    return true;
  }

  @Override
  public RunLogs logs(String runId) {
    RunId id = RunId.parse(runId);
    JsonNode run = getRun(id);
    StringBuilder out = new StringBuilder();
    Optional<Long> task = taskRunId(run);
    if (task.isPresent()) {
      Optional<RunOutput> o = output(task.get());
      if (o.isPresent()) {
        RunOutput output = o.get();
        if (Boolean.TRUE.equals(output.getLogsTruncated())) {
          out.append("[... earlier output truncated by Databricks (it keeps the last 5 MB) ...]\n");
        }
        if (output.getLogs() != null) {
          out.append(output.getLogs());
          if (!output.getLogs().endsWith("\n")) {
            out.append('\n');
          }
        }
        if (output.getErrorTrace() != null && !out.toString().contains(output.getErrorTrace())) {
          out.append(output.getErrorTrace());
          if (!output.getErrorTrace().endsWith("\n")) {
            out.append('\n');
          }
        } else if (output.getError() != null && !out.toString().contains(output.getError())) {
          out.append("error: ").append(output.getError()).append('\n');
        }
      }
    }
    return new RunLogs(runId, out.toString(), resultJson(id, run), text(run.path("run_page_url")));
  }

  private Optional<RunOutput> output(long taskRunId) {
    return DatabricksErrors.retrying(
        "getting the output of task run " + taskRunId,
        () -> {
          try {
            return Optional.of(client.get().jobs().getRunOutput(taskRunId));
          } catch (DatabricksError e) {
            if (e.getStatusCode() != 400 && !DatabricksErrors.isNotFound(e)) {
              throw e;
            }
            // e.g. a task that has not started yet; the run's status says more
            log.debug("no output of task run {} yet: {}", taskRunId, e.getMessage());
            return Optional.empty();
          }
        });
  }

  /** The shim's result of the run, if it has written one. */
  private Optional<String> resultJson(RunId id, JsonNode run) {
    Optional<ShimTokens> tokens = runTokens(run);
    if (tokens.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> tag = id.runTag().or(() -> tokens.get().runTag());
    Optional<ArtifactsRoot> root = ArtifactsRoot.parse(tokens.get().root());
    if (tag.isEmpty() || root.isEmpty()) {
      return Optional.empty();
    }
    try {
      RemoteLayout.resultPath(tokens.get().app(), tag.get());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return RunFiles.resultJson(store(root.get()), tokens.get().app(), tag.get());
  }

  @Override
  public Optional<String> resultJson(String runId) {
    RunId id = RunId.parse(runId);
    return resultJson(id, getRun(id));
  }

  // ------------------------------------------------------------------------------------------
  // Run history

  /** Databricks' runs/list returns at most this many runs per page. */
  static final int RUNS_LIST_MAX = 25;

  /**
   * {@code runs/list} of the job (newest first, Databricks' own paging), through the SDK's API
   * client as JSON, with the tasks, whose parameters name the release and run tag.
   */
  @Override
  public RunPage listRuns(String jobId, int limit, String pageToken) {
    long id = RunId.parseJobId(jobId);
    Request request =
        new Request(Request.GET, "/api/2.2/jobs/runs/list")
            .withQueryParam("job_id", Long.toString(id))
            .withQueryParam(
                "limit", Integer.toString(Math.min(RUNS_LIST_MAX, RunPage.clamp(limit))))
            .withQueryParam("expand_tasks", "true");
    JsonNode page = runsPage(request, pageToken, "listing the runs of job " + id);
    List<RunMetrics> runs = new ArrayList<>();
    for (JsonNode run : page.path("runs")) {
      runs.add(metrics(run));
    }
    return new RunPage(runs, nextPageToken(page));
  }

  /** One page of {@code runs/list} as JSON, retried as every read is. */
  private JsonNode runsPage(Request request, String pageToken, String operation) {
    request.withHeader("Accept", "application/json");
    if (pageToken != null) {
      request.withQueryParam("page_token", pageToken);
    }
    return DatabricksErrors.retrying(
        operation,
        () -> {
          try {
            return client.get().apiClient().execute(request, RawJson.class).node();
          } catch (IOException e) {
            throw new DatabricksException("IO error: " + e.getMessage(), e);
          }
        });
  }

  private static Optional<String> nextPageToken(JsonNode page) {
    return page.path("has_more").asBoolean(false)
        ? text(page.path("next_page_token"))
        : Optional.empty();
  }

  private RunMetrics metrics(JsonNode run) {
    Optional<ShimTokens> tokens = runTokens(run);
    long jobRunId = run.path("run_id").asLong();
    String runId = new RunId(jobRunId, tokens.flatMap(ShimTokens::runTag)).toString();
    RunStates.Mapped m = RunStates.map(run);
    Optional<Instant> start = millis(run.path("start_time"));
    long queue = Math.max(0, run.path("queue_duration").asLong(0));
    long setup = Math.max(0, run.path("setup_duration").asLong(0));
    Optional<Instant> ended =
        m.state().isTerminal() ? millis(run.path("end_time")) : Optional.empty();
    Optional<Instant> running =
        start.map(s -> s.plusMillis(setup)).filter(r -> setup > 0 || ended.isPresent());
    int attempts = run.path("attempt_number").asInt(0);
    for (JsonNode task : run.path("tasks")) {
      attempts = Math.max(attempts, task.path("attempt_number").asInt(0));
    }
    Optional<String> release = tokens.map(ShimTokens::release);
    java.util.OptionalLong bytes = java.util.OptionalLong.empty();
    if (tokens.isPresent()) {
      Optional<ArtifactsRoot> root = ArtifactsRoot.parse(tokens.get().root());
      if (root.isPresent()) {
        bytes =
            RunFiles.releaseBytes(store(root.get()), tokens.get().app(), tokens.get().release());
      }
    }
    return new RunMetrics(
        runId,
        m.state(),
        m.platformState(),
        start.map(s -> s.minusMillis(queue)),
        running,
        ended,
        attempts + 1,
        release,
        bytes);
  }

  /** The bootstrap tokens the run was started with (its overriding parameters, else the job's). */
  private static Optional<ShimTokens> runTokens(JsonNode run) {
    JsonNode over = run.path("overriding_parameters");
    for (String field : List.of("python_params", "jar_params")) {
      Optional<ShimTokens> t = ShimTokens.parse(strings(over.path(field)));
      if (t.isPresent()) {
        return t;
      }
    }
    for (JsonNode task : run.path("tasks")) {
      for (String type : List.of("spark_python_task", "spark_jar_task")) {
        Optional<ShimTokens> t = ShimTokens.parse(strings(task.path(type).path("parameters")));
        if (t.isPresent()) {
          return t;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Long> taskRunId(JsonNode run) {
    JsonNode chosen = null;
    for (JsonNode task : run.path("tasks")) {
      if (chosen == null || JobSpecs.TASK_KEY.equals(task.path("task_key").asText())) {
        chosen = task;
      }
    }
    if (chosen == null || !chosen.path("run_id").canConvertToLong()) {
      return Optional.empty();
    }
    return Optional.of(chosen.path("run_id").asLong());
  }

  private static boolean isTerminal(JsonNode run) {
    String v2 = run.path("status").path("state").asText("");
    if (!v2.isEmpty()) {
      return v2.equals("TERMINATED");
    }
    return TERMINAL_LIFE_CYCLE.contains(run.path("state").path("life_cycle_state").asText(""));
  }

  /** {@code runs/get} as JSON, so state values the SDK's enums do not know yet are kept. */
  private JsonNode getRun(RunId id) {
    Request request =
        new Request(Request.GET, "/api/2.2/jobs/runs/get")
            .withQueryParam("run_id", Long.toString(id.jobRunId()))
            .withHeader("Accept", "application/json");
    return DatabricksErrors.retrying(
        "getting run " + id.jobRunId(),
        () -> {
          try {
            return client.get().apiClient().execute(request, RawJson.class).node();
          } catch (IOException e) {
            throw new DatabricksException("IO error: " + e.getMessage(), e);
          }
        });
  }

  // ------------------------------------------------------------------------------------------
  // Delete, list

  @Override
  public boolean deleteJob(String jobId) {
    long id;
    try {
      id = RunId.parseJobId(jobId);
    } catch (NotFoundException e) {
      return false;
    }
    Job job;
    try {
      job = DatabricksErrors.call("getting job " + id, () -> client.get().jobs().get(id));
    } catch (NotFoundException e) {
      return false;
    }
    requireKindling(job, id);
    try {
      DatabricksErrors.run("deleting job " + id, () -> client.get().jobs().delete(id));
    } catch (NotFoundException e) {
      return false;
    }
    log.info("job {} deleted", id);
    return true;
  }

  @Override
  public List<JobInfo> listJobs() {
    return DatabricksErrors.retrying(
        "listing jobs",
        () -> {
          List<JobInfo> jobs = new ArrayList<>();
          for (BaseJob j :
              client.get().jobs().list(new ListJobsRequest().setExpandTasks(true).setLimit(100L))) {
            if (!JobSpecs.isKindling(j)) {
              continue;
            }
            JobSettings s = j.getSettings();
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("app", s.getTags().getOrDefault(JobSpecs.APP_TAG, ""));
            JobSpecs.task(s)
                .flatMap(JobSpecs::tokens)
                .ifPresent(t -> attributes.put("release", t.release()));
            if (j.getCreatedTime() != null) {
              attributes.put("created", Instant.ofEpochMilli(j.getCreatedTime()).toString());
            }
            jobs.add(new JobInfo(Long.toString(j.getJobId()), s.getName(), attributes));
          }
          return jobs;
        });
  }

  // ------------------------------------------------------------------------------------------
  // Schedules

  @Override
  public ScheduleInfo setSchedule(String jobId, JobSchedule schedule) {
    Problems problems = new Problems();
    problems.addAll(schedule.problems("schedule"));
    Optional<JobSettings> fields = DatabricksSchedules.settings(schedule, "schedule", problems);
    problems.throwIfAny();
    long id = RunId.parseJobId(jobId);
    requireKindling(
        DatabricksErrors.call("getting job " + id, () -> client.get().jobs().get(id)), id);
    JobSettings newSettings = fields.orElseThrow();
    String other = newSettings.getSchedule() != null ? "trigger" : "schedule";
    DatabricksErrors.retryingRun(
        "scheduling job " + id,
        () ->
            client
                .get()
                .jobs()
                .update(
                    new UpdateJob()
                        .setJobId(id)
                        .setNewSettings(newSettings)
                        .setFieldsToRemove(List.of(other))));
    ScheduleInfo info = DatabricksSchedules.info(Long.toString(id), newSettings).orElseThrow();
    log.info("job {} scheduled: {}", id, info.summary());
    return info;
  }

  @Override
  public Optional<ScheduleInfo> getSchedule(String jobId) {
    long id = RunId.parseJobId(jobId);
    Job job = DatabricksErrors.call("getting job " + id, () -> client.get().jobs().get(id));
    return DatabricksSchedules.info(Long.toString(id), job.getSettings());
  }

  @Override
  public boolean enableSchedule(String jobId, boolean enabled) {
    long id = RunId.parseJobId(jobId);
    Job job = DatabricksErrors.call("getting job " + id, () -> client.get().jobs().get(id));
    requireKindling(job, id);
    JobSettings s = job.getSettings();
    if (!DatabricksSchedules.has(s)) {
      return false;
    }
    PauseStatus pause = enabled ? PauseStatus.UNPAUSED : PauseStatus.PAUSED;
    JobSettings change = new JobSettings();
    if (s.getSchedule() != null) {
      change.setSchedule(s.getSchedule().setPauseStatus(pause));
    } else {
      change.setTrigger(s.getTrigger().setPauseStatus(pause));
    }
    DatabricksErrors.retryingRun(
        (enabled ? "resuming" : "pausing") + " the schedule of job " + id,
        () -> client.get().jobs().update(new UpdateJob().setJobId(id).setNewSettings(change)));
    log.info("job {} schedule {}", id, enabled ? "resumed" : "paused");
    return true;
  }

  @Override
  public boolean removeSchedule(String jobId) {
    long id = RunId.parseJobId(jobId);
    Job job = DatabricksErrors.call("getting job " + id, () -> client.get().jobs().get(id));
    requireKindling(job, id);
    if (!DatabricksSchedules.has(job.getSettings())) {
      return false;
    }
    DatabricksErrors.retryingRun(
        "removing the schedule of job " + id,
        () ->
            client
                .get()
                .jobs()
                .update(
                    new UpdateJob()
                        .setJobId(id)
                        .setFieldsToRemove(List.of("schedule", "trigger"))));
    return true;
  }

  private static void requireKindling(Job job, long id) {
    if (!JobSpecs.isKindling(job)) {
      throw new KindlingException(
          "job "
              + id
              + " was not deployed by Kindling (it lacks the tag "
              + JobSpecs.MARKER_TAG
              + "="
              + JobSpecs.MARKER_VALUE
              + "); manage it in the Databricks workspace");
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null && array.isArray()) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static Optional<Instant> millis(JsonNode n) {
    long v = n == null ? 0 : n.asLong(0);
    return v > 0 ? Optional.of(Instant.ofEpochMilli(v)) : Optional.empty();
  }

  private static Optional<String> text(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return Optional.empty();
    }
    String s = n.asText("");
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  // ------------------------------------------------------------------------------------------
  // Job graphs and retries

  /** Retries are the tasks' own: {@code retry} becomes {@code max_retries} and its interval. */
  @Override
  public boolean retriesRunsNatively() {
    return true;
  }

  /** Graphs run as multi-task jobs. */
  @Override
  public Optional<NativeGraphs> nativeGraphs() {
    return Optional.of(
        new NativeGraphs() {
          @Override
          public DeploymentResult deployGraph(String graphName, List<NativeGraphs.Task> tasks) {
            return DatabricksPlatformService.this.deployGraph(graphName, tasks);
          }

          @Override
          public List<NativeGraphs.TaskStatus> taskStatuses(String runId) {
            return GraphJobs.statuses(getRun(RunId.parse(runId)));
          }
        });
  }

  /** Publishes every task's release, then creates or resets the graph's multi-task job. */
  DeploymentResult deployGraph(String graphName, List<NativeGraphs.Task> tasks) {
    List<JobConfig> configs = new ArrayList<>();
    for (NativeGraphs.Task t : tasks) {
      JobConfig c = t.config().withDefaults(defaults);
      JobSpecs.check(c); // every task before any upload
      configs.add(c);
    }
    List<Task> jobTasks = new ArrayList<>();
    long files = 0;
    long uploaded = 0;
    long bytes = 0;
    List<String> releases = new ArrayList<>();
    ArtifactsRoot first = null;
    for (int i = 0; i < tasks.size(); i++) {
      NativeGraphs.Task t = tasks.get(i);
      JobConfig config = configs.get(i);
      ArtifactsRoot root = artifactsRoot(config);
      first = first == null ? root : first;
      ArtifactStore store = store(root);
      Release release = new ReleasePublisher(store, clock).publish(t.app());
      JobSettings single = JobSpecs.settings(t.app(), release, config, store, root);
      jobTasks.add(
          GraphJobs.task(
              t, single, root.path(), release.id(), t.app().runtime() == AppFiles.Runtime.JVM));
      files += release.filesTotal();
      uploaded += release.filesUploaded();
      bytes += release.bytesUploaded();
      releases.add(t.name() + "=" + release.id());
    }
    JobSettings job = GraphJobs.settings(graphName, jobTasks, tasks, defaults);
    long jobId =
        upsert(
            graphName,
            job,
            "graph " + graphName + " (" + String.join(", ", releases) + ")",
            findKindlingJob(graphName));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("host", settings.host());
    metadata.put("job_url", settings.host() + "/jobs/" + jobId);
    metadata.put("tasks", String.valueOf(tasks.size()));
    return new DeploymentResult(
        Long.toString(jobId),
        first.path(),
        String.join(",", releases),
        ID,
        (int) files,
        (int) uploaded,
        bytes,
        metadata);
  }

  // ------------------------------------------------------------------------------------------
  // Batched statuses

  /**
   * The one batch key of this service's runs: the workspace's active runs. A run id carries the job
   * run id and run tag but not the job id, so a {@code runs/list} by {@code job_id} would need a
   * {@code runs/get} per run first to learn it, which is the request batching saves. Instead the
   * workspace's active runs of every job are listed ({@code active_only=true}): the runs a wait
   * polls are active until they end, and one that has ended drops out of that list, is left out,
   * and is then fetched alone with {@code runs/get}, which also supplies what only that answer
   * gives for an ended run (its failure reason from {@code result.json} and the task output).
   */
  static final String ACTIVE_RUNS_KEY = "databricks:active-runs";

  /** The most {@code runs/list} pages one {@link #getJobStatuses} call reads. */
  static final int MAX_STATUS_PAGES = 100;

  /** {@value #ACTIVE_RUNS_KEY} for every Databricks run id (see there); empty for other ids. */
  @Override
  public Optional<String> statusBatchKey(String runId) {
    try {
      RunId.parse(runId);
      return Optional.of(ACTIVE_RUNS_KEY);
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * The statuses of the asked runs that the workspace's active runs show ({@code runs/list} with
   * {@code active_only=true}, {@value #RUNS_LIST_MAX} per page, pages read one after another). It
   * stops once every asked run is found, at the end of the listing, or after as many pages as runs
   * were asked for (at most {@value #MAX_STATUS_PAGES}): more pages would cost more requests than
   * fetching the runs one by one. Runs not found, and runs the listing shows as ended, are left
   * out, so that {@link #getJobStatus} supplies them with the same state and error text as ever.
   */
  @Override
  public Map<String, JobStatus> getJobStatuses(String batchKey, Set<String> runIds) {
    if (!ACTIVE_RUNS_KEY.equals(batchKey)) {
      throw new IllegalArgumentException(
          "'" + batchKey + "' is not a batch key of Databricks runs (" + ACTIVE_RUNS_KEY + ")");
    }
    Map<Long, List<Map.Entry<String, RunId>>> wanted = new java.util.HashMap<>();
    for (String runId : runIds) {
      try {
        RunId id = RunId.parse(runId);
        wanted.computeIfAbsent(id.jobRunId(), k -> new ArrayList<>()).add(Map.entry(runId, id));
      } catch (NotFoundException e) {
        // not a run id: left out, its own fetch says so
      }
    }
    Map<String, JobStatus> out = new LinkedHashMap<>();
    int maxPages = Math.min(MAX_STATUS_PAGES, wanted.size());
    String token = null;
    for (int pages = 0; pages < maxPages && !wanted.isEmpty(); pages++) {
      Request request =
          new Request(Request.GET, "/api/2.2/jobs/runs/list")
              .withQueryParam("active_only", "true")
              .withQueryParam("limit", Integer.toString(RUNS_LIST_MAX));
      JsonNode page = runsPage(request, token, "listing the workspace's active runs");
      for (JsonNode run : page.path("runs")) {
        if (!run.path("run_id").canConvertToLong()) {
          continue;
        }
        List<Map.Entry<String, RunId>> asked = wanted.remove(run.path("run_id").asLong());
        if (asked == null || RunStates.map(run).state().isTerminal()) {
          continue; // an ended run's details come from runs/get
        }
        for (Map.Entry<String, RunId> a : asked) {
          out.put(a.getKey(), status(a.getKey(), a.getValue(), run));
        }
      }
      Optional<String> next = nextPageToken(page);
      if (next.isEmpty()) {
        break;
      }
      token = next.get();
    }
    return out;
  }
}
