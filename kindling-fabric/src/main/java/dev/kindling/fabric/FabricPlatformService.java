package dev.kindling.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.azure.AzureCredentials;
import dev.kindling.azure.DfsArtifactStore;
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
import dev.kindling.core.error.ConflictException;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.Problems;
import dev.kindling.core.http.HttpClients;
import dev.kindling.core.http.TokenProvider;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunMetrics;
import dev.kindling.core.run.RunPage;
import dev.kindling.core.run.RunResults;
import dev.kindling.core.run.RunState;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.core.time.Scheduler;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microsoft Fabric: the artifacts root is a OneLake folder (by default the lakehouse's {@code
 * Files/kindling}), a job is a Spark Job Definition whose main file is the bootstrap shim, and a
 * run is a job instance of it.
 *
 * <ul>
 *   <li><b>Deploy</b> publishes the release to OneLake, then creates the SJD (display name = job
 *       name, description = Kindling's marker) with a {@code SparkJobDefinitionV1.json} part, or
 *       replaces the part of the SJD with that name ({@code updateDefinition}).
 *   <li><b>Run</b> starts a job instance with {@code executionData} carrying the run's {@code
 *       commandLineArguments} (the shim's {@code config:} tokens with a fresh run tag and the
 *       parameters); the run id is {@code fabric:<workspace>:<item>:<instance>:<app>:<run tag>}.
 *   <li><b>Logs</b> are the driver's stdout (Spark monitoring API, found through the Livy session
 *       of the job instance) and the shim's {@code result.json} read from OneLake.
 * </ul>
 *
 * <p>HTTP clients are built on first use, with one token provider for both audiences: the Fabric
 * API scope and the storage scope OneLake needs.
 */
public final class FabricPlatformService implements PlatformService {
  /** The platform id. */
  public static final String ID = "fabric";

  /** The Fabric API token scope. */
  public static final String API_SCOPE = "https://api.fabric.microsoft.com/.default";

  /** Starts every description of an SJD deployed by Kindling. */
  static final String MARKER = "[kindling]";

  /** The run tag of runs started outside Kindling (Fabric portal, schedules). */
  static final String UNTRACKED_RUN_TAG = "untracked";

  static final String PART = "SparkJobDefinitionV1.json";

  private static final Logger log = LoggerFactory.getLogger(FabricPlatformService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LOG_TAIL_LINES = 200;

  private final FabricSettings settings;
  private final Clock clock;
  private final Scheduler scheduler;
  private volatile DfsArtifactStore store;
  private volatile FabricClient client;

  @Inject
  public FabricPlatformService(FabricSettings settings, Clock clock, Scheduler scheduler) {
    this.settings = settings;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /**
   * A service that gets its tokens from {@code tokens} instead of the target's {@code auth} block
   * (for embedding with your own credential; tokens are cached and refreshed on {@code scheduler}'s
   * clock).
   */
  public FabricPlatformService(
      FabricSettings settings, Clock clock, Scheduler scheduler, TokenProvider tokens) {
    this(settings, clock, scheduler);
    this.tokens = java.util.Objects.requireNonNull(tokens, "tokens");
  }

  @Override
  public String platformId() {
    return ID;
  }

  @Override
  public Duration pollInterval() {
    return settings.pollInterval();
  }

  /** The OneLake artifact store (built on first use). */
  public DfsArtifactStore store() {
    DfsArtifactStore s = store;
    if (s == null) {
      synchronized (this) {
        if (store == null) {
          store =
              DfsArtifactStore.builder()
                  .root(settings.artifactsPath())
                  .endpoint(settings.onelakeUrl())
                  .platform(ID)
                  .tokens(tokens())
                  .scheduler(scheduler)
                  .build();
        }
        s = store;
      }
    }
    return s;
  }

  private FabricClient client() {
    FabricClient c = client;
    if (c == null) {
      synchronized (this) {
        if (client == null) {
          HttpUrl base = HttpUrl.get(settings.apiUrl().toString());
          client =
              new FabricClient(
                  HttpClients.builder()
                      .platform(ID)
                      .auth(tokens(), API_SCOPE)
                      .scheduler(scheduler)
                      .build(),
                  base,
                  settings.workspaceId(),
                  scheduler);
        }
        c = client;
      }
    }
    return c;
  }

  private TokenProvider tokens;

  private synchronized TokenProvider tokens() {
    if (tokens == null) {
      tokens = AzureCredentials.from(settings.auth());
    }
    return tokens;
  }

  // ---------------------------------------------------------------- deploy

  @Override
  public DeploymentResult deploySparkJob(AppFiles app, JobConfig config) {
    String name = config.jobName().orElse(app.appName());
    if (!FabricJobRules.DISPLAY_NAME.matcher(name).matches()) {
      throw new KindlingException(
          "'"
              + name
              + "' cannot be a Fabric Spark Job Definition name; set job_name to letters,"
              + " digits, spaces, '.', '_' or '-'");
    }
    if (config.executorMemory().isPresent()
        || config.driverMemory().isPresent()
        || config.executorCores().isPresent()
        || config.driverCores().isPresent()) {
      log.info(
          "Fabric Spark Job Definitions take executor and driver sizes from their environment"
              + " (environment_id); the sizes in the job config are checked but not sent");
    }
    FabricClient fabric = client();
    // the definition is looked up by name while the release is published (it does not depend on
    // it); the lookup's answer is checked (a foreign item of that name) once both are done
    Release release;
    Optional<JsonNode> existing;
    try (BackgroundCall<Optional<JsonNode>> lookup =
        BackgroundCall.start(
            "looking up Spark Job Definition " + name,
            () ->
                fabric.listSparkJobDefinitions().stream()
                    .filter(i -> i.path("displayName").asText().equalsIgnoreCase(name))
                    .findFirst())) {
      release = new ReleasePublisher(store(), clock).publish(app);
      existing = lookup.join();
    }
    String lakehouse = config.lakehouseId().orElse(settings.lakehouseId());
    Optional<String> environment = config.environmentId().or(settings::environmentId);
    ObjectNode v1 = definitionPayload(app, release, config.parameters(), lakehouse, environment);
    ObjectNode definition = definition(v1);
    String description =
        MARKER
            + " app="
            + app.appName()
            + " release="
            + release.id()
            + config.description().map(d -> " - " + d).orElse("");

    String itemId = null;
    if (existing.isPresent()) {
      JsonNode item = existing.get();
      itemId = item.path("id").asText();
      if (!item.path("description").asText("").startsWith(MARKER)) {
        throw new ConflictException(
            "fabric: the workspace already has a Spark Job Definition named '"
                + name
                + "' ("
                + itemId
                + ") that Kindling did not deploy; choose another job_name or delete that item");
      }
      try {
        fabric.updateDefinition(itemId, definition);
        // the description names the release; unchanged (a redeploy of the same release with the
        // same description), it is not sent again
        if (!description.equals(item.path("description").asText(""))) {
          fabric.updateDescription(itemId, description);
        }
      } catch (NotFoundException e) {
        log.info("{} ({}) was deleted while the release was uploaded; creating it", name, itemId);
        itemId = null;
      }
    }
    if (itemId == null) {
      ObjectNode body = JSON.createObjectNode();
      body.put("displayName", name);
      body.put("description", description);
      body.set("definition", definition);
      try {
        itemId = createReconciling(fabric, body, name, release.id());
      } catch (KindlingException e) {
        if (!e.errorCode().filter("ItemDisplayNameAlreadyInUse"::equals).isPresent()) {
          throw e;
        }
        // another deploy created it a moment ago: update that one (last deploy wins)
        JsonNode raced =
            fabric.listSparkJobDefinitions().stream()
                .filter(i -> i.path("displayName").asText().equalsIgnoreCase(name))
                .filter(i -> i.path("description").asText("").startsWith(MARKER))
                .findFirst()
                .orElseThrow(() -> e);
        itemId = raced.path("id").asText();
        log.info("{} was created by a concurrent deploy ({}); updating it", name, itemId);
        fabric.updateDefinition(itemId, definition);
        fabric.updateDescription(itemId, description);
      }
      if (itemId.isEmpty()) {
        throw new KindlingException("fabric: the created Spark Job Definition has no id");
      }
    }
    log.info("job {} ({}) now runs release {} of {}", name, itemId, release.id(), app.appName());
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("workspace_id", settings.workspaceId());
    meta.put("item_id", itemId);
    meta.put("display_name", name);
    meta.put("executable_file", v1.path("executableFile").asText());
    return new DeploymentResult(
        itemId,
        store().locate(release.manifestPath()),
        release.id(),
        ID,
        release.filesTotal(),
        release.filesUploaded(),
        release.bytesUploaded(),
        meta);
  }

  /**
   * Creates the definition. When the create fails ambiguously (no answer, or a gateway error: the
   * service may have created it), the definitions are listed instead of resending blindly: the
   * Kindling definition of that name is the one just created (it is updated with this release
   * anyway); only when there is none is the create sent once more.
   */
  private String createReconciling(
      FabricClient fabric, ObjectNode body, String name, String releaseId) {
    try {
      return fabric.createSparkJobDefinition(body).path("id").asText();
    } catch (KindlingException e) {
      if (!ambiguous(e)) {
        throw e;
      }
      Optional<JsonNode> created =
          fabric.listSparkJobDefinitions().stream()
              .filter(i -> i.path("displayName").asText().equalsIgnoreCase(name))
              .filter(i -> i.path("description").asText("").startsWith(MARKER))
              .findFirst();
      if (created.isPresent()) {
        String id = created.get().path("id").asText();
        log.info(
            "creating {} got no clear answer ({}); it exists ({}), so it is updated, not created"
                + " again",
            name,
            e.getMessage(),
            id);
        if (!created.get().path("description").asText("").contains("release=" + releaseId)) {
          fabric.updateDefinition(id, (ObjectNode) body.path("definition"));
        }
        fabric.updateDescription(id, body.path("description").asText());
        return id;
      }
      log.info(
          "creating {} got no clear answer ({}); no such definition exists, creating it again",
          name,
          e.getMessage());
      return fabric.createSparkJobDefinition(body).path("id").asText();
    }
  }

  /**
   * Whether the service may have acted on a request that failed this way: no answer at all, or a
   * gateway's 502/503/504 (the request may have reached the service behind it).
   */
  static boolean ambiguous(KindlingException e) {
    if (!(e instanceof dev.kindling.core.error.TransientException)) {
      return false;
    }
    int status = e.httpStatus().orElse(0);
    return status == 0 || status == 502 || status == 503 || status == 504;
  }

  private ObjectNode definitionPayload(
      AppFiles app,
      Release release,
      Map<String, String> params,
      String lakehouse,
      Optional<String> environment) {
    boolean jvm = app.runtime() == AppFiles.Runtime.JVM;
    ObjectNode v1 = JSON.createObjectNode();
    v1.put("executableFile", store().locate(release.blob(app.launcher())));
    v1.put("defaultLakehouseArtifactId", lakehouse);
    v1.put("mainClass", jvm ? app.mainClass().orElse("") : "");
    v1.putArray("additionalLakehouseIds");
    v1.putNull("retryPolicy");
    // the definition's own arguments serve the runs Fabric starts by itself (a schedule, the
    // portal): a Python app's leave the run tag out, so each such run gets one of its own
    List<String> args = arguments(jvm, release.app(), release.id(), UNTRACKED_RUN_TAG, params);
    v1.put(
        "commandLineArguments", String.join(" ", jvm ? args : BootstrapShim.withoutRunTag(args)));
    ArrayNode libs = v1.putArray("additionalLibraryUris");
    if (jvm) {
      app.jars().forEach(j -> libs.add(store().locate(release.blob(j))));
    }
    v1.put("language", jvm ? "Java" : "Python");
    if (environment.isPresent()) {
      v1.put("environmentArtifactId", environment.get());
    } else {
      v1.putNull("environmentArtifactId");
    }
    return v1;
  }

  private List<String> arguments(
      boolean jvm, String app, String release, String runTag, Map<String, String> params) {
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getValue() != null && e.getValue().codePoints().anyMatch(Character::isWhitespace)) {
        throw new KindlingException(
            "run parameter '"
                + e.getKey()
                + "' contains whitespace; Fabric passes arguments as one space-separated string,"
                + " so use a value without spaces");
      }
    }
    String root = store().locate("");
    try {
      if (!jvm) {
        return BootstrapShim.arguments(root, app, release, runTag, params);
      }
      List<String> out =
          new ArrayList<>(BootstrapShim.arguments(root, app, release, runTag, Map.of()));
      BootstrapShim.arguments(root, app, release, runTag, params).stream()
          .skip(4)
          .map(t -> t.substring(BootstrapShim.TOKEN_PREFIX.length()))
          .forEach(out::add);
      return out;
    } catch (IllegalArgumentException e) {
      throw new KindlingException(e.getMessage(), e);
    }
  }

  private static ObjectNode definition(ObjectNode v1) {
    ObjectNode d = JSON.createObjectNode();
    d.put("format", "SparkJobDefinitionV1");
    ObjectNode part = d.putArray("parts").addObject();
    part.put("path", PART);
    part.put(
        "payload",
        Base64.getEncoder().encodeToString(v1.toString().getBytes(StandardCharsets.UTF_8)));
    part.put("payloadType", "InlineBase64");
    return d;
  }

  // ---------------------------------------------------------------- run

  @Override
  public String runSparkJob(String jobId, Map<String, String> params) {
    String itemId = requireItemId(jobId);
    JsonNode v1 = v1(client().getDefinition(itemId), itemId);
    RunArguments stored = RunArguments.parse(v1.path("commandLineArguments").asText(""));
    if (stored.app().isEmpty() || stored.release().isEmpty()) {
      throw new KindlingException(
          "fabric: Spark Job Definition "
              + itemId
              + " was not deployed by Kindling (its arguments name no app and release);"
              + " deploy it with `kindling deploy` first");
    }
    boolean jvm =
        "java".equalsIgnoreCase(v1.path("language").asText(""))
            || "scala".equalsIgnoreCase(v1.path("language").asText(""));
    String runTag = RunTags.newTag(clock);
    Map<String, String> merged = new LinkedHashMap<>(stored.parameters());
    merged.putAll(params);
    List<String> args = arguments(jvm, stored.app().get(), stored.release().get(), runTag, merged);

    ObjectNode exec = JSON.createObjectNode();
    exec.put("executableFile", v1.path("executableFile").asText());
    exec.put("commandLineArguments", String.join(" ", args));
    if (jvm) {
      exec.put("mainClass", v1.path("mainClass").asText(""));
      exec.set("additionalLibraryUris", v1.path("additionalLibraryUris").deepCopy());
    }
    String lakehouse = v1.path("defaultLakehouseArtifactId").asText(settings.lakehouseId());
    exec.set(
        "defaultLakehouseId", reference(lakehouse.isEmpty() ? settings.lakehouseId() : lakehouse));
    String env = v1.path("environmentArtifactId").asText("");
    if (!env.isEmpty() && !v1.path("environmentArtifactId").isNull()) {
      exec.set("environmentId", reference(env));
    }
    String instanceId = startRun(itemId, exec);
    FabricRunId runId =
        new FabricRunId(settings.workspaceId(), itemId, instanceId, stored.app().get(), runTag);
    log.info("{} started: job {} release {}", runId, itemId, stored.release().get());
    recordRun(stored.app().get(), instanceId, runTag, stored.release().get());
    return runId.toString();
  }

  /** How long a definition just created may answer "not found" to a run request. */
  static final Duration NOT_FOUND_GRACE = Duration.ofSeconds(15);

  private static final Duration NOT_FOUND_RETRY = Duration.ofSeconds(1);

  /**
   * Starts a run; a 404 (the item just created is not visible to the job scheduler yet, nothing was
   * started) is asked again every second for up to {@link #NOT_FOUND_GRACE}.
   */
  private String startRun(String itemId, ObjectNode exec) {
    java.time.Instant deadline = scheduler.now().plus(NOT_FOUND_GRACE);
    while (true) {
      try {
        return runReconciling(itemId, exec);
      } catch (NotFoundException e) {
        if (scheduler.now().plus(NOT_FOUND_RETRY).isAfter(deadline)) {
          throw e;
        }
        log.debug("{} not found yet; asking again in {}", itemId, NOT_FOUND_RETRY);
        try {
          scheduler.sleep(NOT_FOUND_RETRY);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** How far the service's clock may be behind Fabric's when matching a run by its start time. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  /**
   * Starts a run. When the request fails ambiguously (no answer, or a gateway error: the run may
   * have started), the item's job instances are listed instead of resending blindly. Fabric's job
   * instances carry no tag, so a run is recognized as the one just requested by being manual and
   * not started before the request (less the clock skew allowance): one such run is adopted, none
   * means nothing started and the request is sent once more, several fail the call (another run may
   * be one of them; starting a second one is not risked).
   */
  private String runReconciling(String itemId, ObjectNode exec) {
    Instant sent = clock.instant();
    try {
      return client().run(itemId, exec);
    } catch (KindlingException e) {
      if (!ambiguous(e)) {
        throw e;
      }
      Instant since = sent.minus(CLOCK_SKEW);
      List<String> candidates =
          client().jobInstances(itemId).stream()
              .filter(i -> !"Scheduled".equalsIgnoreCase(i.path("invokeType").asText()))
              .filter(
                  i ->
                      time(i.path("startTimeUtc"))
                          .map(t -> !t.isBefore(since))
                          .orElse("NotStarted".equals(i.path("status").asText())))
              .map(i -> i.path("id").asText().toLowerCase(java.util.Locale.ROOT))
              .toList();
      if (candidates.size() == 1) {
        log.info(
            "starting a run of {} got no clear answer ({}); run {} started then, so it is that"
                + " run",
            itemId,
            e.getMessage(),
            candidates.get(0));
        return candidates.get(0);
      }
      if (!candidates.isEmpty()) {
        throw new dev.kindling.core.error.TransientException(
            e.getMessage()
                + " The run may have started: "
                + candidates.size()
                + " runs of "
                + itemId
                + " started since ("
                + String.join(", ", candidates)
                + "), so no second run is started; check them before trying again.",
            e,
            ID,
            e.httpStatus().isPresent() ? e.httpStatus().getAsInt() : null,
            e.errorCode().orElse(null),
            null);
      }
      log.info(
          "starting a run of {} got no clear answer ({}); no run started, asking again",
          itemId,
          e.getMessage());
      return client().run(itemId, exec);
    }
  }

  private ObjectNode reference(String itemId) {
    ObjectNode n = JSON.createObjectNode();
    n.put("referenceType", "ById");
    n.put("workspaceId", settings.workspaceId());
    n.put("itemId", itemId);
    return n;
  }

  private static JsonNode v1(JsonNode definition, String itemId) {
    for (JsonNode part : definition.path("parts")) {
      if (PART.equals(part.path("path").asText())) {
        try {
          return JSON.readTree(Base64.getDecoder().decode(part.path("payload").asText()));
        } catch (IOException | IllegalArgumentException e) {
          throw new KindlingException(
              "fabric: the " + PART + " part of " + itemId + " is not Base64 JSON", e);
        }
      }
    }
    throw new KindlingException(
        "fabric: Spark Job Definition " + itemId + " has no " + PART + " part; redeploy it");
  }

  // ---------------------------------------------------------------- status

  /** Fabric's job instance status, normalized (platform-apis.md §1). */
  static RunState state(String status) {
    return switch (status == null ? "" : status) {
      case "NotStarted" -> RunState.PENDING;
      case "InProgress" -> RunState.RUNNING;
      case "Completed" -> RunState.SUCCEEDED;
      case "Failed" -> RunState.FAILED;
      case "Cancelled" -> RunState.CANCELLED;
      case "Deduped" -> RunState.SKIPPED;
      default -> RunState.UNKNOWN;
    };
  }

  /** A Fabric time: zone-less ({@code 2023-04-22T06:35:00.7812154}) means UTC; lenient. */
  static Optional<Instant> time(JsonNode n) {
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      return Optional.empty();
    }
    String s = n.asText().trim();
    try {
      return Optional.of(OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException withoutZone) {
      try {
        return Optional.of(LocalDateTime.parse(s).toInstant(ZoneOffset.UTC));
      } catch (DateTimeParseException unreadable) {
        return Optional.empty();
      }
    }
  }

  @Override
  public JobStatus getJobStatus(String runId) {
    FabricRunId id = FabricRunId.parse(runId);
    JsonNode inst =
        client()
            .jobInstance(id.itemId(), id.instanceId())
            .orElseThrow(
                () ->
                    new NotFoundException("fabric: no run " + runId + " (job instance not found)"));
    return status(runId, id, inst);
  }

  /**
   * The status of a run from its job instance JSON (as the instance's GET and the item's list of
   * instances give it). A failed run's error also reads the app's {@code result.json}.
   */
  private JobStatus status(String runId, FabricRunId id, JsonNode inst) {
    String status = inst.path("status").asText("");
    RunState state = state(status);
    Optional<String> error = Optional.empty();
    if (state == RunState.FAILED
        || state == RunState.UNKNOWN && inst.path("failureReason").isObject()) {
      JsonNode fr = inst.path("failureReason");
      Optional<String> fabricError =
          fr.isObject()
              ? Optional.of(
                  fr.path("errorCode").asText("Failed") + ": " + fr.path("message").asText(""))
              : Optional.empty();
      Optional<String> appError = resultText(id).flatMap(RunResults::error);
      if (appError.isPresent()) {
        error =
            Optional.of(appError.get() + fabricError.map(f -> " (Fabric: " + f + ")").orElse(""));
      } else {
        error = fabricError.or(() -> Optional.of("the run failed"));
      }
    }
    return new JobStatus(
        runId,
        state,
        status,
        time(inst.path("startTimeUtc")),
        time(inst.path("endTimeUtc")),
        error,
        Optional.of(store().locate(RemoteLayout.runDir(id.app(), id.runTag()))));
  }

  @Override
  public boolean cancelJob(String runId) {
    FabricRunId id = FabricRunId.parse(runId);
    boolean requested = client().cancel(id.itemId(), id.instanceId());
    if (requested) {
      log.info("{} cancel requested", runId);
    }
    return requested;
  }

  // ---------------------------------------------------------------- logs

  private Optional<String> resultText(FabricRunId id) {
    return RunFiles.resultJson(store(), id.app(), id.runTag());
  }

  @Override
  public Optional<String> resultJson(String runId) {
    return resultText(FabricRunId.parse(runId));
  }

  @Override
  public RunLogs logs(String runId) {
    FabricRunId id = FabricRunId.parse(runId);
    if (client().jobInstance(id.itemId(), id.instanceId()).isEmpty()) {
      throw new NotFoundException("fabric: no run " + runId + " (job instance not found)");
    }
    Optional<String> resultJson = resultText(id);
    String output =
        client()
            .driverLog(id.itemId(), id.instanceId())
            .filter(s -> !s.isBlank())
            .orElseGet(
                () -> resultJson.map(r -> RunResults.outputTail(r, LOG_TAIL_LINES)).orElse(""));
    return new RunLogs(
        runId,
        output,
        resultJson,
        Optional.of(store().locate(RemoteLayout.resultPath(id.app(), id.runTag()))));
  }

  // ---------------------------------------------------------------- run history

  /**
   * The folder (below {@code runs/}) of the small files that map a job instance to its run tag and
   * release: Fabric's job instance list does not return the arguments a run was started with.
   */
  static final String INSTANCE_INDEX = "fabric-instances";

  private String indexPath(String app, String instanceId) {
    return RemoteLayout.runDir(app, INSTANCE_INDEX) + "/" + instanceId + ".json";
  }

  /** Records which run tag and release a job instance has; a failure only loses history. */
  private void recordRun(String app, String instanceId, String runTag, String release) {
    ObjectNode n = JSON.createObjectNode();
    n.put("instance_id", instanceId);
    n.put("run_tag", runTag);
    n.put("release", release);
    byte[] bytes = n.toString().getBytes(StandardCharsets.UTF_8);
    try {
      store()
          .upload(
              indexPath(app, instanceId), new java.io.ByteArrayInputStream(bytes), bytes.length);
    } catch (KindlingException e) {
      log.warn(
          "fabric: could not record run {} in the run index ({}); `kindling runs` will show it"
              + " without its result",
          instanceId,
          e.getMessage());
    }
  }

  private Optional<JsonNode> index(String app, String instanceId) {
    try (InputStream in = store().read(indexPath(app, instanceId))) {
      return Optional.of(JSON.readTree(in));
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public RunPage listRuns(String jobId, int limit, String pageToken) {
    String itemId = requireItemId(jobId);
    JsonNode v1 = v1(client().getDefinition(itemId), itemId);
    RunArguments stored = RunArguments.parse(v1.path("commandLineArguments").asText(""));
    String app =
        stored
            .app()
            .orElseThrow(
                () ->
                    new KindlingException(
                        "fabric: Spark Job Definition "
                            + itemId
                            + " was not deployed by Kindling"));
    int offset = RunPage.offsetOf(pageToken);
    List<JsonNode> all = new ArrayList<>(client().listJobInstances(itemId));
    // newest first: not started yet (no start time) before the rest, then by start time
    all.sort(
        java.util.Comparator.comparing(
                (JsonNode i) -> time(i.path("startTimeUtc")).orElse(Instant.MAX))
            .reversed()
            .thenComparing(i -> i.path("id").asText()));
    int to = Math.min(all.size(), offset + RunPage.clamp(limit));
    List<RunMetrics> runs = new ArrayList<>();
    for (JsonNode inst : all.subList(Math.min(offset, all.size()), to)) {
      runs.add(metrics(itemId, app, inst));
    }
    return new RunPage(
        runs, to < all.size() ? Optional.of(RunPage.offsetToken(to)) : Optional.<String>empty());
  }

  private RunMetrics metrics(String itemId, String app, JsonNode inst) {
    String instanceId = inst.path("id").asText();
    Optional<JsonNode> index = index(app, instanceId);
    String runTag = index.map(n -> n.path("run_tag").asText(null)).orElse(UNTRACKED_RUN_TAG);
    Optional<String> release = index.map(n -> n.path("release").asText(null));
    String status = inst.path("status").asText("");
    RunState state = state(status);
    FabricRunId runId = new FabricRunId(settings.workspaceId(), itemId, instanceId, app, runTag);
    Optional<Instant> submitted = time(inst.path("startTimeUtc"));
    Optional<Instant> ended = time(inst.path("endTimeUtc"));
    Optional<Instant> started = Optional.empty();
    if (state.isTerminal() && index.isPresent()) {
      JobStatus s = new JobStatus(runId.toString(), state, status, submitted, ended, null, null);
      try {
        var result = RunResults.parse(s, resultText(runId));
        if (result.resultWritten()) {
          started = result.start();
          release = release.or(result::release);
        }
      } catch (KindlingException corrupt) {
        log.debug("{}: unreadable result.json: {}", runId, corrupt.getMessage());
      }
    }
    if (started.isEmpty() && state != RunState.PENDING) {
      started = submitted;
    }
    return new RunMetrics(
        runId.toString(),
        state,
        status,
        submitted,
        started,
        ended,
        1,
        release,
        release
            .map(r -> RunFiles.releaseBytes(store(), app, r))
            .orElse(java.util.OptionalLong.empty()));
  }

  // ---------------------------------------------------------------- jobs

  @Override
  public boolean deleteJob(String jobId) {
    if (!FabricSettings.GUID.matcher(jobId == null ? "" : jobId).matches()) {
      return false;
    }
    boolean deleted = client().deleteSparkJobDefinition(jobId.toLowerCase(Locale.ROOT));
    if (deleted) {
      log.info("job {} deleted", jobId);
    }
    return deleted;
  }

  @Override
  public List<JobInfo> listJobs() {
    List<JobInfo> jobs = new ArrayList<>();
    for (JsonNode item : client().listSparkJobDefinitions()) {
      String description = item.path("description").asText("");
      if (!description.startsWith(MARKER)) {
        continue;
      }
      Map<String, String> attrs = new LinkedHashMap<>();
      for (String word : description.substring(MARKER.length()).trim().split("\\s+")) {
        int eq = word.indexOf('=');
        if (eq > 0 && (word.startsWith("app=") || word.startsWith("release="))) {
          attrs.put(word.substring(0, eq), word.substring(eq + 1));
        }
      }
      jobs.add(new JobInfo(item.path("id").asText(), item.path("displayName").asText(), attrs));
    }
    return jobs;
  }

  @Override
  public ScheduleInfo setSchedule(String jobId, JobSchedule schedule) {
    Problems problems = new Problems();
    String itemId = jobId != null && FabricSettings.GUID.matcher(jobId).matches() ? jobId : null;
    if (itemId == null) {
      problems.add(
          "job id",
          "'" + jobId + "' is not a Spark Job Definition id (a GUID)",
          "see `kindling jobs`");
    }
    problems.addAll(schedule.problems("schedule"));
    Optional<ObjectNode> configuration =
        FabricSchedules.configuration(schedule, scheduler.now(), "schedule", problems);
    problems.throwIfAny();
    ObjectNode body = FabricSchedules.request(schedule.enabled(), configuration.orElseThrow());
    String item = itemId.toLowerCase(Locale.ROOT);
    List<JsonNode> existing = client().listSchedules(item);
    JsonNode saved;
    if (existing.isEmpty()) {
      saved = client().createSchedule(item, body);
    } else {
      saved = client().updateSchedule(item, existing.get(0).path("id").asText(), body);
      for (JsonNode extra : existing.subList(1, existing.size())) {
        client().deleteSchedule(item, extra.path("id").asText());
      }
    }
    ScheduleInfo info = FabricSchedules.info(item, saved);
    log.info("job {} scheduled: {}", item, info.summary());
    return info;
  }

  @Override
  public Optional<ScheduleInfo> getSchedule(String jobId) {
    String item = requireItemId(jobId);
    return client().listSchedules(item).stream()
        .findFirst()
        .map(s -> FabricSchedules.info(item, s));
  }

  @Override
  public boolean enableSchedule(String jobId, boolean enabled) {
    String item = requireItemId(jobId);
    List<JsonNode> existing = client().listSchedules(item);
    if (existing.isEmpty()) {
      return false;
    }
    for (JsonNode s : existing) {
      ObjectNode body = FabricSchedules.request(enabled, (ObjectNode) s.path("configuration"));
      client().updateSchedule(item, s.path("id").asText(), body);
    }
    log.info("job {} schedule {}", item, enabled ? "resumed" : "paused");
    return true;
  }

  @Override
  public boolean removeSchedule(String jobId) {
    String item = requireItemId(jobId);
    boolean any = false;
    for (JsonNode s : client().listSchedules(item)) {
      any |= client().deleteSchedule(item, s.path("id").asText());
    }
    return any;
  }

  private static String requireItemId(String jobId) {
    if (jobId == null || !FabricSettings.GUID.matcher(jobId).matches()) {
      throw new NotFoundException(
          "fabric: '" + jobId + "' is not a Spark Job Definition id (a GUID); see `kindling jobs`");
    }
    return jobId.toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------- batched statuses

  /** The most pages of job instances one {@link #getJobStatuses} call reads. */
  static final int MAX_STATUS_PAGES = 50;

  /**
   * {@code <workspace>/<item>} of the run: the runs of one Spark Job Definition are listed
   * together. Empty for a run of another workspace than the target's (its status is fetched alone,
   * as ever) and for what is not a Fabric run id.
   */
  @Override
  public Optional<String> statusBatchKey(String runId) {
    try {
      FabricRunId id = FabricRunId.parse(runId);
      if (!id.workspaceId().equalsIgnoreCase(settings.workspaceId())) {
        return Optional.empty();
      }
      return Optional.of(id.workspaceId() + "/" + id.itemId());
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * The statuses of the asked runs from the item's list of job instances ({@code GET
   * …/items/{item}/jobs/instances}, continuation-token pages read one after another), mapped as
   * {@link #getJobStatus} maps an instance. It stops once every asked run is found, at the end of
   * the listing, or after as many pages as runs were asked for (at most {@value
   * #MAX_STATUS_PAGES}). Runs the listing does not show (Fabric keeps only the most recent
   * completed instances) and runs of another item are left out.
   */
  @Override
  public Map<String, JobStatus> getJobStatuses(String batchKey, Set<String> runIds) {
    Map<String, List<Map.Entry<String, FabricRunId>>> wanted = new HashMap<>();
    String itemId = null;
    for (String runId : runIds) {
      if (!statusBatchKey(runId).filter(batchKey::equals).isPresent()) {
        continue; // another item's run, or no run id: left out
      }
      FabricRunId id = FabricRunId.parse(runId);
      itemId = id.itemId();
      wanted.computeIfAbsent(id.instanceId(), k -> new ArrayList<>()).add(Map.entry(runId, id));
    }
    Map<String, JobStatus> out = new LinkedHashMap<>();
    if (itemId == null) {
      return out;
    }
    client()
        .jobInstancePages(
            itemId,
            Math.min(MAX_STATUS_PAGES, wanted.size()),
            page -> {
              for (JsonNode inst : page) {
                String instanceId = inst.path("id").asText("").toLowerCase(Locale.ROOT);
                List<Map.Entry<String, FabricRunId>> asked = wanted.remove(instanceId);
                if (asked != null) {
                  asked.forEach(a -> out.put(a.getKey(), status(a.getKey(), a.getValue(), inst)));
                }
              }
              return !wanted.isEmpty();
            });
    return out;
  }
}
