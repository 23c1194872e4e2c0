package dev.kindling.synapse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.BackgroundCall;
import dev.kindling.core.deploy.BootstrapShim;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.deploy.RemoteLayout;
import dev.kindling.core.deploy.RunArguments;
import dev.kindling.core.deploy.RunFiles;
import dev.kindling.core.deploy.RunTags;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.Problems;
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
import dev.kindling.core.spi.PlatformService;
import dev.kindling.core.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azure Synapse Analytics: releases are stored in ADLS Gen2 below {@code artifacts_path}, a job is
 * a Spark job definition (SJD) artifact whose main file is the bootstrap shim and whose arguments
 * point at the release, and a run is a Livy batch built from the definition plus the run's own
 * arguments (per-run parameters and the run tag; {@code execute} cannot carry them).
 *
 * <p>Run ids are {@code <pool>:<batch id>:<run tag>:<app>} ({@link SynapseRunId}).
 */
public final class SynapsePlatformService implements PlatformService {
  /** The platform id. */
  public static final String ID = "synapse";

  /**
   * The run tag in a definition's own arguments, used when the definition is run outside Kindling
   * (Synapse Studio, a pipeline): such runs write {@code runs/manual/result.json}.
   */
  static final String MANUAL_RUN_TAG = "manual";

  /** The folder Kindling's definitions are filed under in Synapse Studio. */
  static final String FOLDER = "kindling";

  private static final Logger log = LoggerFactory.getLogger(SynapsePlatformService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LOG_PAGE = 100;
  private static final int MAX_LOG_LINES = 20_000;
  private static final Duration NOT_FOUND_RETRY = Duration.ofSeconds(1);

  private final SynapseSettings settings;
  private final Supplier<SynapseClient> client;
  private final Supplier<ArtifactStore> store;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Options options;

  /**
   * Tuning of the service.
   *
   * @param pollInterval how often a wait polls a run's status (Synapse throttles at about 2
   *     requests per second per workspace); default 5 s
   * @param notFoundGrace how long a definition that is not found is asked for again before a run
   *     gives up (a definition written a moment ago can be missing for a few seconds); default 15 s
   */
  public record Options(Duration pollInterval, Duration notFoundGrace) {
    public Options {
      Objects.requireNonNull(pollInterval, "pollInterval");
      Objects.requireNonNull(notFoundGrace, "notFoundGrace");
    }

    public static Options defaults() {
      return new Options(Duration.ofSeconds(5), Duration.ofSeconds(15));
    }
  }

  SynapsePlatformService(
      SynapseSettings settings,
      Supplier<SynapseClient> client,
      Supplier<ArtifactStore> store,
      Scheduler scheduler,
      Clock clock,
      Options options) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.client = memoize(Objects.requireNonNull(client, "client"));
    this.store = memoize(Objects.requireNonNull(store, "store"));
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** The target's settings. */
  public SynapseSettings settings() {
    return settings;
  }

  @Override
  public String platformId() {
    return ID;
  }

  @Override
  public Duration pollInterval() {
    return options.pollInterval();
  }

  // ---------------------------------------------------------------------------------------------
  // Deploy

  @Override
  public DeploymentResult deploySparkJob(AppFiles app, JobConfig config) {
    String name = config.jobName().orElse(app.appName());
    String pool = config.sparkPoolName().orElse(settings.sparkPoolName());
    // the stored definition is read while the release is published (it does not depend on it):
    // when it is exactly the one this deploy would save (a redeploy of an unchanged release with
    // an unchanged config), saving it again (a long-running PUT) is skipped
    Release release;
    Optional<JsonNode> stored;
    try (BackgroundCall<Optional<JsonNode>> lookup =
        BackgroundCall.start(
            "reading Spark job definition " + name, () -> storedDefinition(name))) {
      release = new ReleasePublisher(store.get(), clock).publish(app);
      stored = lookup.join();
    }
    ObjectNode resource = definition(name, pool, app, release, config);
    if (stored.isPresent() && stored.get().path("properties").equals(resource.path("properties"))) {
      log.info(
          "job {} runs release {} of {} on pool {} already",
          name,
          release.id(),
          app.appName(),
          pool);
    } else {
      client.get().putJobDefinition(name, resource);
      log.info(
          "job {} now runs release {} of {} on pool {}", name, release.id(), app.appName(), pool);
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("workspace", settings.workspaceUrl().toString());
    meta.put("spark_pool", pool);
    meta.put("artifacts_path", settings.artifactsPath().toString());
    return new DeploymentResult(
        name,
        location(release.manifestPath()),
        release.id(),
        ID,
        release.filesTotal(),
        release.filesUploaded(),
        release.bytesUploaded(),
        meta);
  }

  /** The stored definition {@code name}; empty when there is none or it cannot be read. */
  private Optional<JsonNode> storedDefinition(String name) {
    try {
      return client.get().getJobDefinition(name);
    } catch (KindlingException e) {
      // only an optimisation: the definition is then saved, as it would be anyway
      log.debug("could not read Spark job definition {}: {}", name, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The SJD resource for a release: the shim (or app jar) as main file, args naming the release.
   */
  ObjectNode definition(String name, String pool, AppFiles app, Release release, JobConfig config) {
    SynapseJobRules.NodeSize driver =
        SynapseJobRules.size(config.driverCores(), config.driverMemory());
    SynapseJobRules.NodeSize executor =
        SynapseJobRules.size(config.executorCores(), config.executorMemory());
    Map<String, String> defaults = new TreeMap<>(config.parameters());

    ObjectNode job = JSON.createObjectNode();
    job.put("name", name);
    ArrayNode args = job.putArray("args");
    if (app.runtime() == AppFiles.Runtime.PYTHON) {
      job.put("file", location(release.blob(app.launcher())));
      // no run tag: a run the trigger of a schedule starts gets one of its own from the shim
      BootstrapShim.withoutRunTag(
              BootstrapShim.arguments(
                  settings.artifactsPath().toString(),
                  app.appName(),
                  release.id(),
                  MANUAL_RUN_TAG,
                  defaults))
          .forEach(args::add);
    } else {
      String jar = app.appJar().orElse(app.launcher());
      job.put("file", location(release.blob(jar)));
      job.put(
          "className",
          app.mainClass().orElseThrow(() -> new KindlingException("a JVM app needs a main class")));
      ArrayNode jars = job.putArray("jars");
      app.jars().forEach(j -> jars.add(location(release.blob(j))));
      jvmArguments(app.appName(), release.id(), MANUAL_RUN_TAG, defaults).forEach(args::add);
    }
    ObjectNode conf = job.putObject("conf");
    new TreeMap<>(config.sparkConf()).forEach(conf::put);
    job.put("driverMemory", driver.memory().toString());
    job.put("driverCores", driver.cores());
    job.put("executorMemory", executor.memory().toString());
    job.put("executorCores", executor.cores());
    job.put("numExecutors", config.executors().orElse(SynapseJobRules.DEFAULT_EXECUTORS));

    ObjectNode props = JSON.createObjectNode();
    props.put(
        "description",
        config
            .description()
            .orElse(
                "Kindling: " + app.appName() + " " + app.version() + ", release " + release.id()));
    ObjectNode target = props.putObject("targetBigDataPool");
    target.put("referenceName", pool);
    target.put("type", "BigDataPoolReference");
    props.put("language", app.runtime() == AppFiles.Runtime.PYTHON ? "python" : "scala");
    props.set("jobProperties", job);
    props.putObject("folder").put("name", FOLDER);

    ObjectNode resource = JSON.createObjectNode();
    resource.put("name", name);
    resource.set("properties", props);
    return resource;
  }

  // ---------------------------------------------------------------------------------------------
  // Run

  @Override
  public String runSparkJob(String jobId, Map<String, String> params) {
    JsonNode definition = definitionForRun(jobId);
    JsonNode props = definition.path("properties");
    JsonNode job = props.path("jobProperties");
    String pool = props.path("targetBigDataPool").path("referenceName").asText("");
    if (pool.isEmpty()) {
      pool = settings.sparkPoolName();
    }
    DeployedArgs deployed = DeployedArgs.read(job.path("args"));
    if (deployed.app() == null || deployed.release() == null) {
      throw new KindlingException(
          "Spark job definition '"
              + jobId
              + "' was not deployed by Kindling (its arguments name no release); deploy it with"
              + " `kindling deploy`");
    }
    Map<String, String> merged = new LinkedHashMap<>(deployed.parameters());
    merged.putAll(new TreeMap<>(params));
    String runTag = RunTags.newTag(clock);
    boolean python = !job.hasNonNull("className") || job.path("className").asText().isEmpty();
    List<String> args =
        python
            ? BootstrapShim.arguments(
                deployed.root() != null ? deployed.root() : settings.artifactsPath().toString(),
                deployed.app(),
                deployed.release(),
                runTag,
                merged)
            : jvmArguments(deployed.app(), deployed.release(), runTag, merged);

    ObjectNode batch = JSON.createObjectNode();
    batch.put("name", jobId);
    batch.put("file", job.path("file").asText());
    if (!python) {
      batch.put("className", job.path("className").asText());
    }
    ArrayNode argsNode = batch.putArray("args");
    args.forEach(argsNode::add);
    for (String list : List.of("jars", "pyFiles", "files", "archives")) {
      if (job.path(list).isArray() && !job.path(list).isEmpty()) {
        batch.set(list, job.path(list).deepCopy());
      }
    }
    ObjectNode conf = batch.putObject("conf");
    job.path("conf").properties().forEach(e -> conf.put(e.getKey(), e.getValue().asText()));
    for (String key : List.of("driverMemory", "executorMemory")) {
      if (job.hasNonNull(key)) {
        batch.put(key, job.path(key).asText());
      }
    }
    for (String key : List.of("driverCores", "executorCores", "numExecutors")) {
      if (job.hasNonNull(key)) {
        batch.put(key, job.path(key).asInt());
      }
    }
    ObjectNode tags = batch.putObject("tags");
    tags.put("kindling_job", jobId);
    tags.put("kindling_run_tag", runTag);

    JsonNode submitted = submitReconciling(pool, batch, runTag);
    SynapseRunId id = new SynapseRunId(pool, submitted.path("id").asInt(), runTag, deployed.app());
    log.info(
        "{} started: job {} release {} (Livy batch {})",
        id,
        jobId,
        deployed.release(),
        id.batchId());
    return id.toString();
  }

  /**
   * Submits the batch. When the submit fails ambiguously (no answer, or a gateway error: the batch
   * may exist), the pool's batches are listed and the one carrying this run's tag is the run; only
   * when there is none is it submitted once more. Never two batches for one run tag.
   */
  private JsonNode submitReconciling(String pool, ObjectNode batch, String runTag) {
    try {
      return client.get().submitBatch(pool, batch);
    } catch (KindlingException e) {
      if (!(e instanceof dev.kindling.core.error.TransientException)
          || !(e.httpStatus().isEmpty()
              || e.httpStatus().getAsInt() == 502
              || e.httpStatus().getAsInt() == 503
              || e.httpStatus().getAsInt() == 504)) {
        throw e;
      }
      List<JsonNode> tagged = client.get().batchesTagged(pool, "kindling_run_tag", runTag, 5);
      if (!tagged.isEmpty()) {
        log.info(
            "submitting run {} got no clear answer ({}); Livy batch {} carries its tag, so it is"
                + " that run",
            runTag,
            e.getMessage(),
            tagged.get(0).path("id").asInt());
        return tagged.get(0);
      }
      log.info(
          "submitting run {} got no clear answer ({}); no batch carries its tag, submitting again",
          runTag,
          e.getMessage());
      return client.get().submitBatch(pool, batch);
    }
  }

  /** The definition, asking again for a while when it is not found (fresh definitions lag). */
  private JsonNode definitionForRun(String jobId) {
    Instant deadline = scheduler.now().plus(options.notFoundGrace());
    while (true) {
      Optional<JsonNode> d = client.get().getJobDefinition(jobId);
      if (d.isPresent()) {
        return d.get();
      }
      if (!scheduler.now().plus(NOT_FOUND_RETRY).isBefore(deadline)) {
        throw new NotFoundException(
            "no Spark job definition '"
                + jobId
                + "' in Synapse workspace "
                + settings.workspaceUrl()
                + "; deploy it first or see `kindling jobs`");
      }
      log.debug("definition {} not found yet; asking again in {}", jobId, NOT_FOUND_RETRY);
      try {
        scheduler.sleep(NOT_FOUND_RETRY);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KindlingException("interrupted while starting a run of " + jobId, e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Status, cancel, logs

  @Override
  public JobStatus getJobStatus(String runId) {
    SynapseRunId id = SynapseRunId.parse(runId);
    return status(runId, id, batch(id));
  }

  /**
   * The status of a run from its Livy batch JSON (as {@code GET …/batches/{id}?detailed=true} and
   * the pool's list of batches give it). A failed run's error also reads the app's {@code
   * result.json}.
   */
  private JobStatus status(String runId, SynapseRunId id, JsonNode batch) {
    String state = batch.path("state").asText("");
    String result = batch.path("result").asText("");
    RunState mapped = LivyStates.map(state, result);
    String platformState =
        LivyStates.isTerminal(state) && !result.isEmpty() ? state + "/" + result : state;
    JsonNode scheduler = batch.path("schedulerInfo");
    JsonNode livy = batch.path("livyInfo");
    Optional<Instant> start =
        firstTime(scheduler, "scheduledAt", "submittedAt")
            .or(() -> firstTime(livy, "startingAt", "runningAt"));
    Optional<Instant> end =
        mapped.isTerminal()
            ? firstTime(scheduler, "endedAt")
                .or(() -> firstTime(livy, "successAt", "deadAt", "killedAt"))
            : Optional.empty();
    Optional<String> error = Optional.empty();
    if (mapped == RunState.FAILED) {
      error =
          resultJson(id)
              .flatMap(RunResults::error)
              .or(() -> errorInfo(batch))
              .or(() -> Optional.of("the Spark batch ended " + state));
    } else if (mapped == RunState.CANCELLED) {
      error = Optional.of("cancelled");
    }
    return new JobStatus(
        runId,
        mapped,
        platformState,
        start,
        end,
        error,
        Optional.of(location(RemoteLayout.runDir(id.app(), id.runTag()))));
  }

  @Override
  public boolean cancelJob(String runId) {
    SynapseRunId id = SynapseRunId.parse(runId);
    JsonNode batch = batch(id);
    if (LivyStates.isTerminal(batch.path("state").asText(""))) {
      return false;
    }
    boolean cancelled = client.get().cancelBatch(id.pool(), id.batchId());
    if (cancelled) {
      log.info("{} cancel requested", id);
    }
    return cancelled;
  }

  @Override
  public RunLogs logs(String runId) {
    SynapseRunId id = SynapseRunId.parse(runId);
    StringBuilder out = new StringBuilder();
    int from = 0;
    while (from < MAX_LOG_LINES) {
      JsonNode page = client.get().batchLog(id.pool(), id.batchId(), from, LOG_PAGE);
      JsonNode lines = page.path("log");
      lines.forEach(l -> out.append(l.asText()).append('\n'));
      int total = page.path("total").asInt(0);
      int pageFrom = page.path("from").asInt(from);
      int next = pageFrom + lines.size();
      if (lines.isEmpty() || next >= total || next <= from) {
        break;
      }
      from = next;
    }
    return new RunLogs(
        runId,
        out.toString(),
        resultJson(id),
        Optional.of(location(RemoteLayout.resultPath(id.app(), id.runTag()))));
  }

  // ---------------------------------------------------------------------------------------------
  // Jobs

  // Schedules: a pipeline running the definition, and a ScheduleTrigger on it

  @Override
  public ScheduleInfo setSchedule(String jobId, JobSchedule schedule) {
    Problems problems = new Problems();
    problems.addAll(schedule.problems("schedule"));
    Optional<ObjectNode> trigger =
        SynapseSchedules.trigger(jobId, schedule, clock.instant(), "schedule", problems);
    problems.throwIfAny();
    if (client.get().getJobDefinition(jobId).isEmpty()) {
      throw new NotFoundException(
          "synapse: there is no Spark job definition '"
              + jobId
              + "' to schedule; see `kindling jobs`");
    }
    String name = SynapseSchedules.triggerName(jobId);
    client
        .get()
        .putArtifact(
            "pipelines", SynapseSchedules.pipelineName(jobId), SynapseSchedules.pipeline(jobId));
    Optional<JsonNode> existing = client.get().getArtifact("triggers", name);
    if (existing.isPresent() && started(existing.get())) {
      client.get().triggerAction(name, "stop"); // a started trigger cannot be changed
    }
    client.get().putArtifact("triggers", name, trigger.orElseThrow());
    if (schedule.enabled()) {
      client.get().triggerAction(name, "start");
    }
    ScheduleInfo info =
        SynapseSchedules.info(jobId, client.get().getArtifact("triggers", name).orElseThrow());
    log.info("job {} scheduled: {}", jobId, info.summary());
    return info;
  }

  @Override
  public Optional<ScheduleInfo> getSchedule(String jobId) {
    return client
        .get()
        .getArtifact("triggers", SynapseSchedules.triggerName(jobId))
        .map(t -> SynapseSchedules.info(jobId, t));
  }

  @Override
  public boolean enableSchedule(String jobId, boolean enabled) {
    String name = SynapseSchedules.triggerName(jobId);
    Optional<JsonNode> existing = client.get().getArtifact("triggers", name);
    if (existing.isEmpty()) {
      return false;
    }
    if (started(existing.get()) != enabled) {
      client.get().triggerAction(name, enabled ? "start" : "stop");
    }
    log.info("job {} schedule {}", jobId, enabled ? "resumed" : "paused");
    return true;
  }

  @Override
  public boolean removeSchedule(String jobId) {
    String name = SynapseSchedules.triggerName(jobId);
    Optional<JsonNode> existing = client.get().getArtifact("triggers", name);
    if (existing.isPresent() && started(existing.get())) {
      client.get().triggerAction(name, "stop"); // a started trigger cannot be deleted
    }
    boolean removed = existing.isPresent() && client.get().deleteArtifact("triggers", name);
    client.get().deleteArtifact("pipelines", SynapseSchedules.pipelineName(jobId));
    return removed;
  }

  private static boolean started(JsonNode trigger) {
    return "Started".equals(trigger.path("properties").path("runtimeState").asText());
  }

  @Override
  public boolean deleteJob(String jobId) {
    boolean deleted = client.get().deleteJobDefinition(jobId);
    if (deleted) {
      log.info("job {} deleted", jobId);
    }
    return deleted;
  }

  @Override
  public List<JobInfo> listJobs() {
    List<JobInfo> jobs = new ArrayList<>();
    for (JsonNode d : client.get().listJobDefinitions()) {
      JsonNode props = d.path("properties");
      DeployedArgs args = DeployedArgs.read(props.path("jobProperties").path("args"));
      if (args.release() == null || args.app() == null) {
        continue;
      }
      String name = d.path("name").asText();
      jobs.add(
          new JobInfo(
              name,
              name,
              Map.of(
                  "app", args.app(),
                  "release", args.release(),
                  "spark_pool", props.path("targetBigDataPool").path("referenceName").asText(""))));
    }
    jobs.sort(java.util.Comparator.comparing(JobInfo::name));
    return jobs;
  }

  // ---------------------------------------------------------------------------------------------

  private JsonNode batch(SynapseRunId id) {
    return client
        .get()
        .getBatch(id.pool(), id.batchId())
        .orElseThrow(
            () ->
                new NotFoundException(
                    "no Spark batch "
                        + id.batchId()
                        + " on pool '"
                        + id.pool()
                        + "' of "
                        + settings.workspaceUrl()
                        + " (run "
                        + id
                        + "); Synapse keeps finished batches only for a while"));
  }

  private Optional<String> resultJson(SynapseRunId id) {
    return RunFiles.resultJson(store.get(), id.app(), id.runTag());
  }

  @Override
  public Optional<String> resultJson(String runId) {
    return resultJson(SynapseRunId.parse(runId));
  }

  // ---------------------------------------------------------------------------------------------
  // Run history

  /** Livy lists at most this many batches per request. */
  private static final int LIVY_PAGE = 20;

  /**
   * The job's runs are the pool's Livy batches Kindling tagged with the job's name, newest first.
   * Livy lists a pool's batches oldest first by offset; the page token is the offset below which
   * the next page starts.
   */
  @Override
  public RunPage listRuns(String jobId, int limit, String pageToken) {
    JsonNode definition =
        client
            .get()
            .getJobDefinition(jobId)
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "no Spark job definition '"
                            + jobId
                            + "' in Synapse workspace "
                            + settings.workspaceUrl()
                            + "; see `kindling jobs`"));
    String pool =
        definition.path("properties").path("targetBigDataPool").path("referenceName").asText("");
    if (pool.isEmpty()) {
      pool = settings.sparkPoolName();
    }
    int want = RunPage.clamp(limit);
    int end =
        pageToken == null
            ? client.get().listBatches(pool, 0, 1).path("total").asInt(0)
            : RunPage.offsetOf(pageToken);
    List<RunMetrics> runs = new ArrayList<>();
    int next = end;
    while (next > 0 && runs.size() < want) {
      int from = Math.max(0, next - LIVY_PAGE);
      JsonNode page = client.get().listBatches(pool, from, next - from);
      List<JsonNode> sessions = new ArrayList<>();
      page.path("sessions").forEach(sessions::add);
      if (sessions.isEmpty()) {
        next = 0;
        break;
      }
      int position = page.path("from").asInt(from) + sessions.size();
      for (int i = sessions.size() - 1; i >= 0 && runs.size() < want; i--) {
        position--;
        JsonNode b = sessions.get(i);
        if (isRunOf(jobId, b)) {
          runs.add(metrics(pool, b));
        }
      }
      next = runs.size() < want ? from : position;
    }
    return new RunPage(
        runs, next > 0 ? Optional.of(RunPage.offsetToken(next)) : Optional.<String>empty());
  }

  /**
   * Whether a batch is a run of the job: Kindling tags the batches it submits with the job's name;
   * a batch the definition's schedule started (its pipeline's SparkJob activity) carries no tags
   * but names the definition as its {@code artifactId}.
   */
  static boolean isRunOf(String jobId, JsonNode batch) {
    JsonNode job = batch.path("tags").path("kindling_job");
    return job.isTextual()
        ? jobId.equals(job.asText())
        : jobId.equals(batch.path("artifactId").asText(null));
  }

  private RunMetrics metrics(String pool, JsonNode batch) {
    JsonNode livy = batch.path("livyInfo");
    JsonNode sched = batch.path("schedulerInfo");
    List<String> args = new ArrayList<>();
    livy.path("jobCreationRequest").path("args").forEach(a -> args.add(a.asText()));
    RunArguments parsed = RunArguments.parse(args);
    String runTag =
        batch.path("tags").path("kindling_run_tag").asText(parsed.runTag().orElse(MANUAL_RUN_TAG));
    String app = parsed.app().orElse("unknown");
    String state = batch.path("state").asText("");
    String result = batch.path("result").asText("");
    RunState mapped = LivyStates.map(state, result);
    SynapseRunId id = new SynapseRunId(pool, batch.path("id").asInt(), runTag, app);
    Optional<Instant> submitted = firstTime(sched, "submittedAt");
    Optional<Instant> started = firstTime(livy, "runningAt");
    Optional<Instant> ended =
        mapped.isTerminal()
            ? firstTime(sched, "endedAt")
                .or(() -> firstTime(livy, "successAt", "deadAt", "killedAt"))
            : Optional.empty();
    if (started.isEmpty() && ended.isPresent()) {
      started = firstTime(livy, "startingAt").or(() -> ended);
    }
    return new RunMetrics(
        id.toString(),
        mapped,
        LivyStates.isTerminal(state) && !result.isEmpty() ? state + "/" + result : state,
        submitted,
        started,
        ended,
        1,
        parsed.release(),
        parsed
            .release()
            .filter(r -> parsed.app().isPresent())
            .map(r -> RunFiles.releaseBytes(store.get(), app, r))
            .orElse(java.util.OptionalLong.empty()));
  }

  private static Optional<String> errorInfo(JsonNode batch) {
    List<String> messages = new ArrayList<>();
    batch
        .path("errorInfo")
        .forEach(
            e -> {
              String m = e.path("message").asText("");
              String code = e.path("errorCode").asText("");
              if (!m.isEmpty() || !code.isEmpty()) {
                messages.add(code.isEmpty() ? m : code + ": " + m);
              }
            });
    return messages.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", messages));
  }

  private static Optional<Instant> firstTime(JsonNode node, String... fields) {
    for (String f : fields) {
      JsonNode v = node.path(f);
      if (v.isTextual() && !v.asText().isBlank()) {
        try {
          return Optional.of(OffsetDateTime.parse(v.asText()).toInstant());
        } catch (DateTimeParseException e) {
          try {
            return Optional.of(Instant.parse(v.asText()));
          } catch (DateTimeParseException ignored) {
            // an unreadable time is left out, not an error
          }
        }
      }
    }
    return Optional.empty();
  }

  private String location(String relative) {
    return settings.artifactsPath().resolve(relative);
  }

  /** A JVM app's arguments: the Kindling tokens, then {@code key=value} per parameter. */
  static List<String> jvmArguments(
      String app, String release, String runTag, Map<String, String> params) {
    List<String> out = new ArrayList<>();
    out.add(BootstrapShim.TOKEN_PREFIX + BootstrapShim.KEY_APP + "=" + app);
    out.add(BootstrapShim.TOKEN_PREFIX + BootstrapShim.KEY_RELEASE + "=" + release);
    out.add(BootstrapShim.TOKEN_PREFIX + BootstrapShim.KEY_RUN_TAG + "=" + runTag);
    params.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  private static <T> Supplier<T> memoize(Supplier<T> s) {
    return new Supplier<>() {
      private volatile T value;

      @Override
      public T get() {
        T v = value;
        if (v == null) {
          synchronized (this) {
            v = value;
            if (v == null) {
              v = Objects.requireNonNull(s.get());
              value = v;
            }
          }
        }
        return v;
      }
    };
  }

  /** What a definition's arguments say: root, app, release and default parameters. */
  record DeployedArgs(String root, String app, String release, Map<String, String> parameters) {
    static DeployedArgs read(JsonNode args) {
      List<String> tokens = new ArrayList<>();
      args.forEach(a -> tokens.add(a.asText("")));
      RunArguments parsed = RunArguments.parse(tokens);
      return new DeployedArgs(
          parsed.root().orElse(null),
          parsed.app().orElse(null),
          parsed.release().orElse(null),
          parsed.parameters());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Batched statuses

  /** The most pages of batches one {@link #getJobStatuses} call reads. */
  static final int MAX_STATUS_PAGES = 100;

  /**
   * {@code <workspace url>|<livy version>|<pool>}: the runs of one Spark pool are listed together.
   * Empty for what is not a Synapse run id.
   */
  @Override
  public Optional<String> statusBatchKey(String runId) {
    try {
      return Optional.of(batchKey(SynapseRunId.parse(runId).pool()));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  private String batchKey(String pool) {
    return settings.workspaceUrl() + "|" + settings.livyApiVersion() + "|" + pool;
  }

  /**
   * The statuses of the asked runs from the pool's Livy batches ({@code GET
   * …/sparkPools/{pool}/batches?from=&size=20&detailed=true}, pages read one after another), mapped
   * as {@link #getJobStatus} maps one batch. Livy lists a pool's batches by id, oldest first, and a
   * batch's position is at most its id, so the first page read is the one ending at the newest
   * asked batch; further pages extend the window read, towards newer batches while an asked one
   * lies above it and towards older ones while an asked one lies below it. It stops when no asked
   * batch is left outside the window (an asked batch inside it is gone), at either end of the
   * listing, or after as many pages as runs were asked for (at most {@value #MAX_STATUS_PAGES}).
   * Only a batch that carries the asked run's {@code kindling_run_tag} answers for it.
   */
  @Override
  public Map<String, JobStatus> getJobStatuses(String batchKey, Set<String> runIds) {
    TreeMap<Integer, List<Map.Entry<String, SynapseRunId>>> wanted = new TreeMap<>();
    String pool = null;
    for (String runId : runIds) {
      if (!statusBatchKey(runId).filter(batchKey::equals).isPresent()) {
        continue; // another pool's run, or no run id: left out
      }
      SynapseRunId id = SynapseRunId.parse(runId);
      pool = id.pool();
      wanted.computeIfAbsent(id.batchId(), k -> new ArrayList<>()).add(Map.entry(runId, id));
    }
    Map<String, JobStatus> out = new LinkedHashMap<>();
    if (pool == null) {
      return out;
    }
    int maxPages = Math.min(MAX_STATUS_PAGES, wanted.size());
    int from = Math.max(0, wanted.lastKey() - (LIVY_PAGE - 1));
    int size = LIVY_PAGE;
    int low = Integer.MAX_VALUE; // the positions read so far: [low, high)
    int high = -1;
    int lowId = Integer.MAX_VALUE; // the ids read so far
    int highId = -1;
    for (int pages = 0; pages < maxPages && !wanted.isEmpty(); pages++) {
      JsonNode page = client.get().listBatches(pool, from, size);
      int total = page.path("total").asInt(0);
      List<JsonNode> sessions = new ArrayList<>();
      page.path("sessions").forEach(sessions::add);
      if (sessions.isEmpty()) {
        if (high < 0 && from > 0 && total > 0 && from >= total) {
          // batches were purged, so positions are below ids: the newest page instead
          from = Math.max(0, total - LIVY_PAGE);
          size = LIVY_PAGE;
          continue;
        }
        break;
      }
      int pageFrom = page.path("from").asInt(from);
      low = Math.min(low, pageFrom);
      high = Math.max(high, pageFrom + sessions.size());
      for (JsonNode b : sessions) {
        int batchId = b.path("id").asInt(-1);
        lowId = Math.min(lowId, batchId);
        highId = Math.max(highId, batchId);
        List<Map.Entry<String, SynapseRunId>> asked = wanted.remove(batchId);
        if (asked == null) {
          continue;
        }
        for (Map.Entry<String, SynapseRunId> a : asked) {
          String tag = b.path("tags").path("kindling_run_tag").asText("");
          if (tag.equals(a.getValue().runTag())) {
            out.put(a.getKey(), status(a.getKey(), a.getValue(), b));
          }
        }
      }
      wanted.subMap(lowId, true, highId, true).clear(); // inside the window but not listed: gone
      if (!wanted.isEmpty() && wanted.lastKey() > highId && high < total) {
        from = high;
        size = LIVY_PAGE;
      } else if (!wanted.isEmpty() && wanted.firstKey() < lowId && low > 0) {
        from = Math.max(0, low - LIVY_PAGE);
        size = low - from;
      } else {
        break;
      }
    }
    return out;
  }
}
