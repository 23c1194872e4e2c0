package dev.kindling.testkit.databricks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.testkit.databricks.ApiErrors.ApiException;
import dev.kindling.testkit.emulator.EmulatedDriver;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.EmulatorServer;
import dev.kindling.testkit.emulator.EmulatorServer.Request;
import dev.kindling.testkit.emulator.EmulatorServer.Response;
import dev.kindling.testkit.emulator.TokenIssuer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Azure Databricks workspace on a loopback port, for tests and for trying Kindling without a
 * workspace ({@code kindling emulator databricks}). It speaks what the Databricks SDK for Java
 * calls: the Jobs API under both {@code /api/2.1} and {@code /api/2.2} (create, reset, update, get,
 * list, delete, run-now, runs/get, runs/get-output, runs/cancel, runs/list, runs/delete), the Files
 * API for Unity Catalog volumes, DBFS and workspace import, plus the two discovery requests the SDK
 * makes while its client is built (answered 404, as on a workspace without them).
 *
 * <p>Behaviour follows platform-apis.md §3 and §7: int64 ids (above 2^32, so a client that
 * truncates them fails), {@code {error_code, message}} errors, 400 {@code INVALID_PARAMETER_VALUE}
 * for a missing job or run, {@code get-output} refusing the parent run id of a run with tasks, runs
 * moving QUEUED → PENDING → RUNNING → TERMINATING → TERMINATED (with {@code result_state} and
 * {@code status.termination_details}), queueing at {@code max_concurrent_runs}, asynchronous and
 * idempotent cancel, {@code has_more}/{@code next_page_token} paging, and run-now idempotency
 * tokens.
 *
 * <p>Runs execute for real: the task's {@code spark_python_task} file runs with {@code python3} in
 * an {@link EmulatedDriver} offering a stand-in {@code dbutils} whose {@code fs} reads and writes
 * the emulated DBFS; a {@code spark_jar_task} runs its main class from the task's jar libraries on
 * Spark in local mode ({@link EmulatedDriver#startJvm}). A real cluster reads Unity Catalog volumes
 * through a FUSE mount at {@code /Volumes/...}; there is none here, so when the emulator launches a
 * driver it rewrites every {@code /Volumes/...} path in the task's parameters (the bootstrap shim's
 * artifacts root token among them) to the emulator's local directory for that volume. The app's
 * output and exit code become the run's logs and result.
 */
public final class DatabricksEmulator implements Emulator {
  /** The platform id. */
  public static final String ID = "databricks";

  /** The user every job and run belongs to. */
  static final String USER = "emulator@kindling.dev";

  /** The existing cluster id the default target names. */
  public static final String CLUSTER_ID = "0101-000000-emulator";

  /** The volume directory the default target uses as artifacts root. */
  public static final String VOLUME_ARTIFACTS = "/Volumes/main/kindling/artifacts/kindling";

  /** A DBFS artifacts root for targets that want DBFS. */
  public static final String DBFS_ARTIFACTS = "dbfs:/kindling";

  static final int MAX_LOG_BYTES = 5 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(DatabricksEmulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final List<String> TASK_TYPES =
      List.of(
          "spark_python_task",
          "spark_jar_task",
          "python_wheel_task",
          "spark_submit_task",
          "notebook_task",
          "pipeline_task",
          "sql_task",
          "dbt_task",
          "run_job_task",
          "condition_task",
          "for_each_task");
  private static final List<String> RUN_IF =
      List.of(
          "ALL_SUCCESS",
          "AT_LEAST_ONE_SUCCESS",
          "NONE_FAILED",
          "ALL_DONE",
          "AT_LEAST_ONE_FAILED",
          "ALL_FAILED");
  private static final List<String> COMPUTE =
      List.of("existing_cluster_id", "new_cluster", "job_cluster_key", "environment_key");

  private final EmulatorOptions options;
  private final EmulatorServer server;
  private final Storage storage;
  private final Path runsDir;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService killer;

  private final Map<Long, Job> jobs = new TreeMap<>();
  private final Map<Long, EmulatedRun> runs = new LinkedHashMap<>();
  private final Map<Long, EmulatedRun> byTaskRun = new HashMap<>();
  private final Map<Long, EmulatedGraphRun> graphRuns = new LinkedHashMap<>();
  private final Map<String, Long> idempotency = new HashMap<>();
  private long nextJobId = (1L << 40) + 101;
  private long nextRunId = (1L << 41) + 1001;
  private volatile Duration queuedFor = Duration.ofMillis(50);
  private volatile Duration pendingFor = Duration.ofMillis(150);
  private volatile Duration terminatingFor = Duration.ofMillis(150);
  private volatile boolean closed;

  /** A job: its id, creation time, settings, and its run counter. */
  private static final class Job {
    final long id;
    final long created;
    ObjectNode settings;
    long runs;

    Job(long id, long created, ObjectNode settings) {
      this.id = id;
      this.created = created;
      this.settings = settings;
    }
  }

  private DatabricksEmulator(EmulatorOptions options) {
    this.options = options;
    try {
      this.storage = new Storage(options.dataDir());
      this.runsDir = Files.createDirectories(options.dataDir().resolve("runs"));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the emulator's storage in " + options.dataDir(), e);
    }
    int n = THREADS.incrementAndGet();
    this.scheduler =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "databricks-emulator-runs-" + n);
              t.setDaemon(true);
              return t;
            });
    this.killer =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "databricks-emulator-kill-" + n);
              t.setDaemon(true);
              return t;
            });
    this.server = new EmulatorServer(ID, options.port());
    auth = new Auth(options.token());
    // discovery requests the SDK makes while its client is built; a plain workspace has neither
    server.route(
        "GET",
        "/\\.well-known/.*|/oidc/.*",
        r -> ApiErrors.error(404, "NOT_FOUND", "Not found: " + r.path()));
    String jobsApi = "/api/2\\.[12]/jobs";
    server
        .route("POST", jobsApi + "/create", auth.wrap(this::create))
        .route("POST", jobsApi + "/reset", auth.wrap(this::reset))
        .route("POST", jobsApi + "/update", auth.wrap(this::update))
        .route("GET", jobsApi + "/get", auth.wrap(this::getJob))
        .route("GET", jobsApi + "/list", auth.wrap(this::listJobs))
        .route("POST", jobsApi + "/delete", auth.wrap(this::deleteJob))
        .route("POST", jobsApi + "/run-now", auth.wrap(this::runNow))
        .route("GET", jobsApi + "/runs/get", auth.wrap(this::getRun))
        .route("GET", jobsApi + "/runs/get-output", auth.wrap(this::getOutput))
        .route("POST", jobsApi + "/runs/cancel", auth.wrap(this::cancel))
        .route("GET", jobsApi + "/runs/list", auth.wrap(this::listRuns))
        .route("POST", jobsApi + "/runs/delete", auth.wrap(this::deleteRun));
    storage.routes(server, auth);
    log.info("databricks emulator on {} (data in {})", server.baseUrl(), options.dataDir());
  }

  /** Starts an emulator. */
  public static DatabricksEmulator start(EmulatorOptions options) {
    return new DatabricksEmulator(options);
  }

  /**
   * How long a run stays QUEUED (before it looks for a free slot), PENDING (cluster start) and
   * TERMINATING. Defaults 50 ms, 150 ms, 150 ms.
   */
  public DatabricksEmulator timings(Duration queued, Duration pending, Duration terminating) {
    this.queuedFor = queued;
    this.pendingFor = pending;
    this.terminatingFor = terminating;
    return this;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public EmulatorServer server() {
    return server;
  }

  /** The target of this emulator with the artifacts on a Unity Catalog volume. */
  @Override
  public Map<String, Object> target() {
    return target(VOLUME_ARTIFACTS);
  }

  /**
   * The target of this emulator with the given artifacts root ({@link #VOLUME_ARTIFACTS}, {@link
   * #DBFS_ARTIFACTS} or another volume or DBFS directory), on the existing cluster {@link
   * #CLUSTER_ID}, polling every 200 ms.
   */
  public Map<String, Object> target(String artifactsPath) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("platform", ID);
    t.put("host", baseUrl().toString());
    t.put("artifacts_path", artifactsPath);
    t.put("cluster_id", CLUSTER_ID);
    t.put("poll_interval", "200ms");
    Map<String, Object> auth = new LinkedHashMap<>();
    auth.put("method", "token");
    auth.put("token", options.token());
    t.put("auth", auth);
    return t;
  }

  private final Auth auth;

  /**
   * Issues expiring tokens ({@link TokenIssuer#PATH}) and accepts them besides the static token; an
   * expired one is answered with 401.
   */
  public DatabricksEmulator tokenIssuer(TokenIssuer issuer) {
    auth.issuer(issuer);
    issuer.register(server);
    return this;
  }

  /** The bearer token it accepts. */
  public String token() {
    return options.token();
  }

  /** The local directory behind {@code /Volumes}. */
  public Path volumesDir() {
    return storage.volumesDir();
  }

  /** The local directory behind {@code dbfs:/}. */
  public Path dbfsDir() {
    return storage.dbfsDir();
  }

  /** The settings of every job, by id. */
  public synchronized Map<Long, JsonNode> jobs() {
    Map<Long, JsonNode> m = new TreeMap<>();
    jobs.forEach((id, j) -> m.put(id, j.settings.deepCopy()));
    return m;
  }

  /** A run as {@code runs/get} shows it. */
  public synchronized Optional<JsonNode> run(long runId) {
    return Optional.ofNullable(runs.get(runId))
        .<JsonNode>map(EmulatedRun::toJson)
        .or(() -> Optional.ofNullable(graphRuns.get(runId)).map(EmulatedGraphRun::toJson));
  }

  @Override
  public void close() {
    List<EmulatedDriver> drivers = new ArrayList<>();
    synchronized (this) {
      closed = true;
      runs.values().stream().filter(r -> r.driver != null).forEach(r -> drivers.add(r.driver));
      graphRuns.values().stream()
          .flatMap(g -> g.tasks.stream())
          .filter(r -> r.driver != null)
          .forEach(r -> drivers.add(r.driver));
    }
    scheduler.shutdownNow();
    drivers.forEach(EmulatedDriver::kill);
    killer.shutdownNow();
    server.close();
  }

  // ------------------------------------------------------------------------------------------
  // Jobs

  private Response create(Request r) throws Exception {
    ObjectNode settings = (ObjectNode) Storage.json(r);
    settings.remove("access_control_list");
    normalize(settings, r.path().startsWith("/api/2.2/"));
    synchronized (this) {
      long id = nextJobId++;
      jobs.put(id, new Job(id, System.currentTimeMillis(), settings));
      return Response.json(200, Map.of("job_id", id));
    }
  }

  private Response reset(Request r) throws Exception {
    JsonNode body = Storage.json(r);
    long id = requiredId(body, "job_id");
    JsonNode ns = body.path("new_settings");
    if (!ns.isObject()) {
      return ApiErrors.invalid("new_settings is required");
    }
    ObjectNode settings = ((ObjectNode) ns).deepCopy();
    normalize(settings, r.path().startsWith("/api/2.2/"));
    synchronized (this) {
      Job job = jobs.get(id);
      if (job == null) {
        return ApiErrors.missingJob(id);
      }
      job.settings = settings;
    }
    return Response.json(200, Map.of());
  }

  private Response update(Request r) throws Exception {
    JsonNode body = Storage.json(r);
    long id = requiredId(body, "job_id");
    synchronized (this) {
      Job job = jobs.get(id);
      if (job == null) {
        return ApiErrors.missingJob(id);
      }
      ObjectNode settings = job.settings.deepCopy();
      for (JsonNode f : body.path("fields_to_remove")) {
        settings.remove(f.asText());
      }
      if (body.path("new_settings").isObject()) {
        settings.setAll((ObjectNode) body.path("new_settings").deepCopy());
      }
      normalize(settings, false);
      job.settings = settings;
    }
    return Response.json(200, Map.of());
  }

  private Response getJob(Request r) throws Exception {
    long id = requiredId(r, "job_id");
    synchronized (this) {
      Job job = jobs.get(id);
      if (job == null) {
        return ApiErrors.missingJob(id);
      }
      return Response.json(200, jobJson(job, true));
    }
  }

  private Response listJobs(Request r) throws Exception {
    int limit = Integer.parseInt(r.param("limit").orElse("20"));
    if (limit < 1 || limit > 100) {
      return ApiErrors.invalid("limit must be between 1 and 100, got " + limit);
    }
    boolean expand = Boolean.parseBoolean(r.param("expand_tasks").orElse("false"));
    Optional<String> name = r.param("name");
    int from = r.param("page_token").map(Storage::decodeToken).orElse(0);
    boolean expandTasks = Boolean.parseBoolean(r.param("expand_tasks").orElse("false"));
    ObjectNode body = JSON.createObjectNode();
    synchronized (this) {
      List<Job> matching =
          jobs.values().stream()
              .filter(
                  j ->
                      name.isEmpty()
                          || name.get().equalsIgnoreCase(j.settings.path("name").asText()))
              .toList();
      ArrayNode out = JSON.createArrayNode();
      for (int i = from; i < Math.min(matching.size(), from + limit); i++) {
        out.add(jobJson(matching.get(i), expand));
      }
      if (!out.isEmpty()) {
        body.set("jobs", out);
      }
      boolean more = from + limit < matching.size();
      body.put("has_more", more);
      if (more) {
        body.put("next_page_token", Storage.encodeToken(from + limit));
      }
      if (from > 0) {
        body.put("prev_page_token", Storage.encodeToken(Math.max(0, from - limit)));
      }
    }
    return Response.json(200, body);
  }

  private Response deleteJob(Request r) throws Exception {
    long id = requiredId(Storage.json(r), "job_id");
    synchronized (this) {
      if (jobs.remove(id) == null) {
        return ApiErrors.missingJob(id);
      }
    }
    return Response.json(200, Map.of());
  }

  private ObjectNode jobJson(Job job, boolean withTasks) {
    ObjectNode n = JSON.createObjectNode();
    n.put("job_id", job.id);
    n.put("creator_user_name", USER);
    n.put("run_as_user_name", USER);
    n.put("created_time", job.created);
    ObjectNode settings = job.settings.deepCopy();
    if (!withTasks) {
      settings.remove("tasks");
      settings.remove("job_clusters");
    }
    n.set("settings", settings);
    n.put("has_more", false);
    return n;
  }

  private static final java.util.regex.Pattern QUARTZ_FIELD =
      java.util.regex.Pattern.compile("[0-9A-Za-z*?/,#L W-]+");

  /**
   * {@code schedule} (Quartz cron, Java time zone, pause status) and {@code trigger.periodic} as
   * the service checks them; {@code schedule} and {@code continuous} exclude each other. Fills in
   * the default {@code pause_status} (UNPAUSED).
   */
  private static void checkSchedule(ObjectNode settings) throws ApiException {
    JsonNode sched = settings.get("schedule");
    if (sched != null && !sched.isNull()) {
      if (!sched.isObject()) {
        throw new ApiException(ApiErrors.invalid("schedule must be an object"));
      }
      String cron = sched.path("quartz_cron_expression").asText("");
      if (cron.isBlank()) {
        throw new ApiException(
            ApiErrors.invalid("Missing required field: schedule.quartz_cron_expression"));
      }
      String[] fields = cron.trim().split("\\s+");
      boolean wellFormed =
          (fields.length == 6 || fields.length == 7)
              && java.util.Arrays.stream(fields).allMatch(f -> QUARTZ_FIELD.matcher(f).matches())
              && (fields[3].equals("?") ^ fields[5].equals("?"));
      if (!wellFormed) {
        throw new ApiException(
            ApiErrors.invalid(
                "Invalid Quartz Cron Expression: '"
                    + cron
                    + "' (seconds minutes hours day-of-month month day-of-week [year], with ?"
                    + " in exactly one day field)."));
      }
      String zone = sched.path("timezone_id").asText("");
      if (zone.isBlank()) {
        throw new ApiException(ApiErrors.invalid("Missing required field: schedule.timezone_id"));
      }
      try {
        java.time.ZoneId.of(zone);
      } catch (java.time.DateTimeException e) {
        throw new ApiException(ApiErrors.invalid("Invalid timezone_id: '" + zone + "'."));
      }
      pauseStatus((ObjectNode) sched, "schedule");
      if (settings.has("continuous")) {
        throw new ApiException(
            ApiErrors.invalid("A job cannot have both a schedule and continuous settings."));
      }
    }
    JsonNode trigger = settings.get("trigger");
    if (trigger != null && trigger.isObject()) {
      JsonNode periodic = trigger.path("periodic");
      if (periodic.isObject()) {
        if (periodic.path("interval").asLong(0) < 1) {
          throw new ApiException(
              ApiErrors.invalid("trigger.periodic.interval must be a positive number."));
        }
        if (!Set.of("MINUTES", "HOURS", "DAYS", "WEEKS")
            .contains(periodic.path("unit").asText(""))) {
          throw new ApiException(
              ApiErrors.invalid("trigger.periodic.unit must be MINUTES, HOURS, DAYS or WEEKS."));
        }
      }
      pauseStatus((ObjectNode) trigger, "trigger");
      if (sched != null && !sched.isNull()) {
        throw new ApiException(
            ApiErrors.invalid("A job cannot have both a schedule and a trigger."));
      }
    }
  }

  private static void pauseStatus(ObjectNode n, String where) throws ApiException {
    if (!n.has("pause_status")) {
      n.put("pause_status", "UNPAUSED");
    } else if (!Set.of("PAUSED", "UNPAUSED").contains(n.path("pause_status").asText())) {
      throw new ApiException(
          ApiErrors.invalid(where + ".pause_status must be PAUSED or UNPAUSED."));
    }
  }

  /**
   * Fires job schedules as the scheduler would between {@code from} (exclusive) and {@code to}
   * (inclusive): for every unpaused {@code schedule} (Quartz cron in its {@code timezone_id}) and
   * every unpaused {@code trigger.periodic} (counted from the job's creation), a run is started per
   * firing, with {@code trigger: PERIODIC}. Tests drive time explicitly; nothing fires by itself.
   *
   * @return the ids of the runs started, in firing order per job
   */
  public List<Long> fireSchedules(java.time.Instant from, java.time.Instant to) {
    List<Long> started = new ArrayList<>();
    List<EmulatedRun> toStart = new ArrayList<>();
    synchronized (this) {
      for (Job job : new TreeMap<>(jobs).values()) {
        for (java.time.Instant at : firings(job, from, to)) {
          JsonNode tasks = job.settings.path("tasks");
          if (tasks.size() != 1) {
            continue;
          }
          long id = nextRunId;
          nextRunId += 2;
          EmulatedRun run =
              new EmulatedRun(
                  id,
                  id + 1,
                  job.id,
                  ++job.runs,
                  job.settings.path("name").asText(),
                  ((ObjectNode) tasks.get(0)).deepCopy(),
                  null,
                  null,
                  at.toEpochMilli(),
                  baseUrl().toString(),
                  job.settings.path("timeout_seconds").asLong(0));
          run.trigger = "PERIODIC";
          runs.put(run.runId, run);
          byTaskRun.put(run.taskRunId, run);
          toStart.add(run);
          started.add(run.runId);
        }
      }
    }
    toStart.forEach(run -> schedule(() -> tryStart(run), queuedFor));
    return started;
  }

  private static List<java.time.Instant> firings(
      Job job, java.time.Instant from, java.time.Instant to) {
    List<java.time.Instant> out = new ArrayList<>();
    JsonNode sched = job.settings.path("schedule");
    if (sched.isObject() && !"PAUSED".equals(sched.path("pause_status").asText())) {
      Optional<String> five = fiveField(sched.path("quartz_cron_expression").asText());
      if (five.isPresent()) {
        dev.kindling.core.schedule.CronExpression cron =
            dev.kindling.core.schedule.CronExpression.parse(five.get());
        java.time.ZoneId zone = java.time.ZoneId.of(sched.path("timezone_id").asText());
        java.time.ZonedDateTime t = from.atZone(zone);
        while (true) {
          Optional<java.time.ZonedDateTime> next = cron.next(t, zone);
          if (next.isEmpty() || next.get().toInstant().isAfter(to)) {
            break;
          }
          out.add(next.get().toInstant());
          t = next.get();
        }
      }
    }
    JsonNode trigger = job.settings.path("trigger");
    JsonNode periodic = trigger.path("periodic");
    if (periodic.isObject() && !"PAUSED".equals(trigger.path("pause_status").asText())) {
      long n = periodic.path("interval").asLong();
      Duration unit =
          switch (periodic.path("unit").asText()) {
            case "MINUTES" -> Duration.ofMinutes(1);
            case "HOURS" -> Duration.ofHours(1);
            case "DAYS" -> Duration.ofDays(1);
            default -> Duration.ofDays(7);
          };
      Duration every = unit.multipliedBy(n);
      java.time.Instant t = java.time.Instant.ofEpochMilli(job.created);
      while (!t.isAfter(to)) {
        if (t.isAfter(from)) {
          out.add(t);
        }
        t = t.plus(every);
      }
    }
    return out;
  }

  /** A Quartz expression with seconds 0 and no L/W/# as five-field cron, else empty. */
  private static Optional<String> fiveField(String quartz) {
    String[] f = quartz.trim().toUpperCase(java.util.Locale.ROOT).split("\\s+");
    if (f.length < 6 || !f[0].equals("0") || quartz.contains("#") || f[3].matches(".*[LW].*")) {
      return Optional.empty();
    }
    StringBuilder dow = new StringBuilder();
    String[] days = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    String d = f[5].equals("?") ? "*" : f[5];
    for (int i = 0; i < d.length(); i++) {
      char c = d.charAt(i);
      boolean step = i > 0 && d.charAt(i - 1) == '/';
      dow.append(c >= '1' && c <= '7' && !step ? days[c - '1'] : String.valueOf(c));
    }
    return Optional.of(
        f[1] + " " + f[2] + " " + (f[3].equals("?") ? "*" : f[3]) + " " + f[4] + " " + dow);
  }

  /** Checks and completes job settings like the service does; throws a 400 answer when invalid. */
  private static void normalize(ObjectNode settings, boolean api22) throws ApiException {
    if (!settings.hasNonNull("name")) {
      settings.put("name", "Untitled");
    }
    if (!settings.has("max_concurrent_runs")) {
      settings.put("max_concurrent_runs", 1);
    }
    if (settings.path("max_concurrent_runs").asInt() < 0) {
      throw new ApiException(ApiErrors.invalid("max_concurrent_runs must not be negative"));
    }
    if (!settings.has("queue")) {
      settings.putObject("queue").put("enabled", api22);
    }
    if (settings.path("tags").size() > 25) {
      throw new ApiException(ApiErrors.invalid("A job can have at most 25 tags."));
    }
    checkSchedule(settings);
    JsonNode tasks = settings.path("tasks");
    if (!tasks.isMissingNode() && !tasks.isArray()) {
      throw new ApiException(ApiErrors.invalid("tasks must be a list"));
    }
    List<String> keys = new ArrayList<>();
    checkDependencies(tasks);
    for (JsonNode t : tasks) {
      String key = t.path("task_key").asText("");
      if (key.isEmpty()) {
        throw new ApiException(ApiErrors.invalid("Missing required field: task_key"));
      }
      if (keys.contains(key)) {
        throw new ApiException(ApiErrors.invalid("Task key " + key + " is not unique."));
      }
      keys.add(key);
      long types = TASK_TYPES.stream().filter(t::has).count();
      if (types != 1) {
        throw new ApiException(
            ApiErrors.invalid(
                "Task " + key + " must have exactly one task type, has " + types + "."));
      }
      long compute = COMPUTE.stream().filter(t::has).count();
      if ((t.has("spark_python_task") || t.has("spark_jar_task")) && compute != 1) {
        throw new ApiException(
            ApiErrors.invalid(
                "Task "
                    + key
                    + ": exactly one of existing_cluster_id, new_cluster, job_cluster_key or"
                    + " environment_key must be specified."));
      }
      if (t.has("spark_python_task") && !t.path("spark_python_task").hasNonNull("python_file")) {
        throw new ApiException(
            ApiErrors.invalid("Missing required field: spark_python_task.python_file"));
      }
      String runIf = t.path("run_if").asText("ALL_SUCCESS");
      if (!RUN_IF.contains(runIf)) {
        throw new ApiException(
            ApiErrors.invalid("Task " + key + ": run_if must be one of " + RUN_IF + "."));
      }
      JsonNode nc = t.path("new_cluster");
      if (t.has("new_cluster")
          && (!nc.hasNonNull("spark_version")
              || !(nc.hasNonNull("num_workers") || nc.has("autoscale")))) {
        throw new ApiException(
            ApiErrors.invalid("new_cluster needs spark_version and num_workers (or autoscale)."));
      }
    }
  }

  private static void checkDependencies(JsonNode tasks) throws ApiException {
    Map<String, List<String>> deps = new LinkedHashMap<>();
    for (JsonNode t : tasks) {
      List<String> d = new ArrayList<>();
      for (JsonNode x : t.path("depends_on")) {
        d.add(x.path("task_key").asText(""));
      }
      deps.put(t.path("task_key").asText(), d);
    }
    for (Map.Entry<String, List<String>> e : deps.entrySet()) {
      for (String d : e.getValue()) {
        if (!deps.containsKey(d)) {
          throw new ApiException(
              ApiErrors.invalid(
                  "Task " + e.getKey() + " depends on " + d + ", which is not a task of the job."));
        }
      }
    }
    // Kahn: what cannot be ordered is in a cycle
    Map<String, List<String>> left = new LinkedHashMap<>(deps);
    boolean progress = true;
    while (progress) {
      progress = left.entrySet().removeIf(e -> e.getValue().stream().noneMatch(left::containsKey));
    }
    if (!left.isEmpty()) {
      throw new ApiException(
          ApiErrors.invalid("The job's tasks have a cycle involving " + left.keySet() + "."));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Runs

  private Response runNow(Request r) throws Exception {
    JsonNode body = Storage.json(r);
    long jobId = requiredId(body, "job_id");
    String token = body.path("idempotency_token").asText("");
    if (token.length() > 64) {
      return ApiErrors.invalid("idempotency_token must be at most 64 characters");
    }
    List<String> python = strings(body.get("python_params"));
    List<String> jar = strings(body.get("jar_params"));
    for (List<String> params : java.util.Arrays.asList(python, jar)) {
      if (params != null) {
        String asJson = JSON.writeValueAsString(params);
        if (asJson.getBytes(StandardCharsets.UTF_8).length > 10_000) {
          return ApiErrors.invalid("The parameters exceed the limit of 10000 bytes.");
        }
        if (!asJson.chars().allMatch(c -> c < 0x80)) {
          return ApiErrors.invalid("The parameters must contain ASCII characters only.");
        }
      }
    }
    EmulatedRun run;
    synchronized (this) {
      if (!token.isEmpty()
          && idempotency.containsKey(token)
          && graphRuns.containsKey(idempotency.get(token))) {
        EmulatedGraphRun existing = graphRuns.get(idempotency.get(token));
        return Response.json(
            200, Map.of("run_id", existing.runId, "number_in_job", existing.numberInJob));
      }
      if (!token.isEmpty() && idempotency.containsKey(token)) {
        EmulatedRun existing = runs.get(idempotency.get(token));
        return Response.json(
            200, Map.of("run_id", existing.runId, "number_in_job", existing.numberInJob));
      }
      Job job = jobs.get(jobId);
      if (job == null) {
        return ApiErrors.missingJob(jobId);
      }
      JsonNode tasks = job.settings.path("tasks");
      Map<String, String> jobParameters = new LinkedHashMap<>();
      for (JsonNode p : job.settings.path("parameters")) {
        jobParameters.put(p.path("name").asText(), p.path("default").asText(""));
      }
      JsonNode given = body.path("job_parameters");
      given.properties().forEach(e -> jobParameters.put(e.getKey(), e.getValue().asText()));
      if (tasks.size() > 1) {
        EmulatedGraphRun g = startGraph(job, tasks, jobParameters);
        if (!token.isEmpty()) {
          idempotency.put(token, g.runId);
        }
        return Response.json(200, Map.of("run_id", g.runId, "number_in_job", g.numberInJob));
      }
      if (tasks.size() != 1) {
        return ApiErrors.invalid("Job " + jobId + " has no tasks.");
      }
      long id = nextRunId;
      nextRunId += 2;
      run =
          new EmulatedRun(
              id,
              id + 1,
              jobId,
              ++job.runs,
              job.settings.path("name").asText(),
              ((ObjectNode) tasks.get(0)).deepCopy(),
              python,
              jar,
              System.currentTimeMillis(),
              baseUrl().toString(),
              job.settings.path("timeout_seconds").asLong(0));
      run.jobParameters = Map.copyOf(jobParameters);
      runs.put(run.runId, run);
      byTaskRun.put(run.taskRunId, run);
      if (!token.isEmpty()) {
        idempotency.put(token, run.runId);
      }
    }
    schedule(() -> tryStart(run), queuedFor);
    return Response.json(200, Map.of("run_id", run.runId, "number_in_job", run.numberInJob));
  }

  private Response getRun(Request r) throws Exception {
    long id = requiredId(r, "run_id");
    synchronized (this) {
      EmulatedGraphRun graph = graphRuns.get(id);
      if (graph != null) {
        return Response.json(200, graph.toJson());
      }
      EmulatedRun run = runs.get(id);
      if (run == null) {
        return ApiErrors.missingRun(id);
      }
      return Response.json(200, run.toJson());
    }
  }

  private Response getOutput(Request r) throws Exception {
    long id = requiredId(r, "run_id");
    EmulatedRun run;
    synchronized (this) {
      if (runs.containsKey(id) || graphRuns.containsKey(id)) {
        return ApiErrors.invalid(
            "Retrieving the output of runs with multiple tasks is not supported. Please retrieve"
                + " the output of each individual task run instead.");
      }
      run = byTaskRun.get(id);
      if (run == null) {
        return ApiErrors.missingRun(id);
      }
    }
    ObjectNode out = JSON.createObjectNode();
    String logs = "";
    boolean truncated = false;
    EmulatedDriver driver;
    Integer exit;
    String launchError;
    String result;
    synchronized (this) {
      out.set("metadata", run.taskJson());
      driver = run.driver;
      exit = run.exitCode;
      launchError = run.launchError;
      result = run.isTerminal() ? run.result : null;
    }
    if (driver != null) {
      Path f = driver.outputFile();
      if (Files.exists(f)) {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
          long len = raf.length();
          long from = Math.max(0, len - MAX_LOG_BYTES);
          byte[] buf = new byte[(int) (len - from)];
          raf.seek(from);
          raf.readFully(buf);
          logs = new String(buf, StandardCharsets.UTF_8);
          truncated = from > 0;
        }
      }
    }
    out.put("logs", logs);
    out.put("logs_truncated", truncated);
    if ("FAILED".equals(result) || "TIMEDOUT".equals(result)) {
      if (launchError != null) {
        out.put("error", launchError);
      } else {
        Optional<String> trace = lastTraceback(logs);
        out.put(
            "error",
            trace
                .map(DatabricksEmulator::lastLine)
                .orElse("Workload failed: the Python process exited with code " + exit));
        trace.ifPresent(t -> out.put("error_trace", t));
      }
    }
    return Response.json(200, out);
  }

  private Response cancel(Request r) throws Exception {
    long id = requiredId(Storage.json(r), "run_id");
    synchronized (this) {
      EmulatedGraphRun graph = graphRuns.get(id);
      if (graph != null) {
        cancelGraph(graph);
        return Response.json(200, Map.of());
      }
      EmulatedRun run = runs.containsKey(id) ? runs.get(id) : byTaskRun.get(id);
      if (run == null) {
        return ApiErrors.missingRun(id);
      }
      cancel(run);
    }
    return Response.json(200, Map.of());
  }

  private Response listRuns(Request r) throws Exception {
    int limit = Integer.parseInt(r.param("limit").orElse("20"));
    if (limit < 1 || limit > 25) {
      return ApiErrors.invalid("limit must be between 1 and 25, got " + limit);
    }
    Optional<Long> jobId = r.param("job_id").map(Long::parseLong);
    boolean activeOnly = Boolean.parseBoolean(r.param("active_only").orElse("false"));
    boolean completedOnly = Boolean.parseBoolean(r.param("completed_only").orElse("false"));
    if (activeOnly && completedOnly) {
      return ApiErrors.invalid("active_only and completed_only cannot both be true");
    }
    int from = r.param("page_token").map(Storage::decodeToken).orElse(0);
    boolean expandTasks = Boolean.parseBoolean(r.param("expand_tasks").orElse("false"));
    ObjectNode body = JSON.createObjectNode();
    synchronized (this) {
      // single-task job runs and multi-task (graph) job runs alike; never a graph's task runs
      record Listed(
          long runId, long jobId, boolean terminal, java.util.function.Supplier<ObjectNode> json) {}
      List<Listed> all = new ArrayList<>();
      runs.values().forEach(x -> all.add(new Listed(x.runId, x.jobId, x.isTerminal(), x::toJson)));
      graphRuns
          .values()
          .forEach(g -> all.add(new Listed(g.runId, g.jobId, g.isTerminal(), g::toJson)));
      List<Listed> matching =
          all.stream()
              .filter(x -> jobId.isEmpty() || x.jobId() == jobId.get())
              .filter(x -> !activeOnly || !x.terminal())
              .filter(x -> !completedOnly || x.terminal())
              .sorted(Comparator.comparingLong(Listed::runId).reversed())
              .toList();
      ArrayNode out = JSON.createArrayNode();
      for (int i = from; i < Math.min(matching.size(), from + limit); i++) {
        ObjectNode n = matching.get(i).json().get();
        if (!expandTasks) {
          n.remove("tasks");
        }
        out.add(n);
      }
      if (!out.isEmpty()) {
        body.set("runs", out);
      }
      boolean more = from + limit < matching.size();
      body.put("has_more", more);
      if (more) {
        body.put("next_page_token", Storage.encodeToken(from + limit));
      }
      if (from > 0) {
        body.put("prev_page_token", Storage.encodeToken(Math.max(0, from - limit)));
      }
    }
    return Response.json(200, body);
  }

  private Response deleteRun(Request r) throws Exception {
    long id = requiredId(Storage.json(r), "run_id");
    synchronized (this) {
      EmulatedRun run = runs.get(id);
      if (run == null) {
        return ApiErrors.missingRun(id);
      }
      if (!run.isTerminal()) {
        return ApiErrors.error(400, "INVALID_STATE", "Run " + id + " is still active.");
      }
      runs.remove(id);
      byTaskRun.remove(run.taskRunId);
    }
    return Response.json(200, Map.of());
  }

  // ------------------------------------------------------------------------------------------
  // The run state machine

  private void schedule(Runnable step, Duration after) {
    if (closed) {
      return;
    }
    try {
      scheduler.schedule(
          () -> {
            try {
              step.run();
            } catch (RuntimeException e) {
              log.warn("databricks emulator: a run step failed", e);
            }
          },
          after.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  /** QUEUED → PENDING when the job has a free slot; SKIPPED when it has none and no queue. */
  private synchronized void tryStart(EmulatedRun run) {
    if (!run.lifeCycle.equals("QUEUED") || run.cancelRequested) {
      return;
    }
    Job job = jobs.get(run.jobId);
    long max = job == null ? 1 : Math.max(1, job.settings.path("max_concurrent_runs").asLong(1));
    boolean queue = job == null || job.settings.path("queue").path("enabled").asBoolean(false);
    long active = runs.values().stream().filter(x -> x.jobId == run.jobId && x.isActive()).count();
    boolean earlierQueued =
        runs.values().stream()
            .anyMatch(
                x -> x.jobId == run.jobId && x.runId < run.runId && x.lifeCycle.equals("QUEUED"));
    if (active >= max || earlierQueued) {
      String reason = "Queued due to reaching maximum concurrent runs of " + max + " for this job.";
      if (queue) {
        run.queueReason = reason;
        run.stateMessage = reason;
        return; // started when a run of the job ends
      }
      run.lifeCycle = "SKIPPED";
      run.result = null;
      run.stateMessage =
          "Skipping this run because the limit of "
              + max
              + " maximum concurrent runs has been reached.";
      run.terminationCode = "MAX_CONCURRENT_RUNS_EXCEEDED";
      run.terminationType = "CLIENT_ERROR";
      run.endTime = System.currentTimeMillis();
      return;
    }
    run.lifeCycle = "PENDING";
    run.queueReason = null;
    run.stateMessage = "Waiting for cluster";
    run.startTime = System.currentTimeMillis();
    schedule(() -> launch(run), pendingFor);
  }

  /** PENDING → RUNNING: starts the driver. */
  private void launch(EmulatedRun run) {
    synchronized (this) {
      if (!run.lifeCycle.equals("PENDING") || closed) {
        return;
      }
      JsonNode task = run.task;
      if (task.has("spark_jar_task")) {
        launchJar(run, task);
        return;
      }
      if (!task.has("spark_python_task")) {
        failToStart(
            run,
            "INVALID_RUN_CONFIGURATION",
            "The emulator runs spark_python_task and spark_jar_task tasks only; this task has "
                + TASK_TYPES.stream().filter(task::has).findFirst().orElse("no type")
                + ".");
        return;
      }
      String pythonFile = task.path("spark_python_task").path("python_file").asText();
      Optional<Path> main = storage.fileOf(pythonFile).filter(Files::isRegularFile);
      if (main.isEmpty()) {
        failToStart(
            run,
            "RESOURCE_NOT_FOUND",
            "Cannot read the python file "
                + pythonFile
                + ". Please check driver logs for more details.");
        return;
      }
      List<String> params =
          run.pythonParams != null
              ? run.pythonParams
              : strings(task.path("spark_python_task").get("parameters"));
      List<String> args = new ArrayList<>();
      for (String p : params == null ? List.<String>of() : params) {
        args.add(fuseMount(references(p, run)));
      }
      try {
        run.driver =
            EmulatedDriver.start(
                options.python(),
                EmulatedDriver.Utils.DBUTILS,
                "dbfs:",
                storage.dbfsDir(),
                main.get(),
                args,
                runsDir.resolve(Long.toString(run.taskRunId)));
      } catch (UncheckedIOException e) {
        failToStart(run, "DRIVER_ERROR", "The driver could not start: " + e.getMessage());
        return;
      }
      running(run);
    }
  }

  /**
   * A {@code spark_jar_task}: its main class from the task's jar libraries, on Spark in local mode
   * when kindling-local-spark's class path is available ({@link EmulatedDriver#sparkClasspath()}).
   */
  private void launchJar(EmulatedRun run, JsonNode task) {
    String mainClass = task.path("spark_jar_task").path("main_class_name").asText("");
    if (mainClass.isBlank()) {
      failToStart(
          run,
          "INVALID_RUN_CONFIGURATION",
          "Missing required field: spark_jar_task.main_class_name");
      return;
    }
    Optional<Path> spark = EmulatedDriver.sparkClasspath();
    if (spark.isEmpty()) {
      failToStart(run, "INVALID_RUN_CONFIGURATION", EmulatedDriver.noSparkMessage());
      return;
    }
    List<Path> jars = new ArrayList<>();
    for (JsonNode lib : task.path("libraries")) {
      if (!lib.has("jar")) {
        continue;
      }
      String jar = lib.path("jar").asText();
      Optional<Path> local = storage.fileOf(jar).filter(Files::isRegularFile);
      if (local.isEmpty()) {
        failToStart(
            run,
            "LIBRARY_INSTALLATION_ERROR",
            "Library installation failed: the jar " + jar + " was not found.");
        return;
      }
      jars.add(local.get());
    }
    List<String> params =
        run.jarParams != null
            ? run.jarParams
            : strings(task.path("spark_jar_task").get("parameters"));
    List<String> args = new ArrayList<>();
    for (String p : params == null ? List.<String>of() : params) {
      args.add(fuseMount(p));
    }
    try {
      run.driver =
          EmulatedDriver.startJvm(
              spark.get(), jars, mainClass, args, runsDir.resolve(Long.toString(run.runId)));
    } catch (UncheckedIOException e) {
      failToStart(run, "DRIVER_ERROR", "The driver could not start: " + e.getMessage());
      return;
    }
    running(run);
  }

  /** PENDING → RUNNING once the run's driver started: watches it exit and its timeout. */
  private void running(EmulatedRun run) {
    run.lifeCycle = "RUNNING";
    run.stateMessage = "In run";
    run.runningTime = System.currentTimeMillis();
    run.driver.onExit().thenAccept(code -> driverExited(run, code));
    if (run.timeoutSeconds > 0) {
      schedule(() -> timeOut(run), Duration.ofSeconds(run.timeoutSeconds));
    }
  }

  /**
   * Emulates the volume FUSE mount: a real driver reads {@code /Volumes/...} as local files, so the
   * emulator hands its driver the local directory behind the volume instead. The shim's artifacts
   * root token ({@code config:artifacts_storage_path=/Volumes/...}) is one such path.
   */
  private String fuseMount(String param) {
    int at = param.indexOf("/Volumes/");
    if (at < 0 || (at > 0 && param.charAt(at - 1) != '=')) {
      return param;
    }
    String path = param.substring(at);
    return storage.fileOf(path).map(local -> param.substring(0, at) + local).orElse(param);
  }

  private void failToStart(EmulatedRun run, String code, String message) {
    run.launchError = message;
    run.lifeCycle = "TERMINATING";
    run.result = "FAILED";
    run.terminationCode = code;
    run.terminationType = "CLIENT_ERROR";
    run.stateMessage = message;
    schedule(() -> finish(run), terminatingFor);
  }

  private synchronized void driverExited(EmulatedRun run, int code) {
    run.exitCode = code;
    if (!run.lifeCycle.equals("RUNNING")) {
      return;
    }
    run.lifeCycle = "TERMINATING";
    if (run.timedOut) {
      run.result = "TIMEDOUT";
      run.terminationCode = "RUN_EXECUTION_ERROR";
      run.terminationType = "CLIENT_ERROR";
      run.stateMessage = "Run timed out after " + run.timeoutSeconds + " seconds.";
    } else if (run.cancelRequested) {
      run.result = "CANCELED";
      run.terminationCode = "USER_CANCELED";
      run.terminationType = "SUCCESS";
      run.stateMessage = "Run cancelled by " + USER + ".";
    } else if (code == 0) {
      run.result = "SUCCESS";
      run.terminationCode = "SUCCESS";
      run.terminationType = "SUCCESS";
      run.stateMessage = "";
    } else {
      run.result = "FAILED";
      run.terminationCode = "RUN_EXECUTION_ERROR";
      run.terminationType = "CLIENT_ERROR";
      run.stateMessage = "Workload failed, see run output for details";
    }
    schedule(() -> finish(run), terminatingFor);
  }

  private void timeOut(EmulatedRun run) {
    EmulatedDriver d;
    synchronized (this) {
      if (!run.lifeCycle.equals("RUNNING")) {
        return;
      }
      run.timedOut = true;
      d = run.driver;
    }
    killer.execute(d::kill);
  }

  private synchronized void finish(EmulatedRun run) {
    if (!run.lifeCycle.equals("TERMINATING")) {
      return;
    }
    if (retries(run)) {
      long wait = Math.max(0, run.task.path("min_retry_interval_millis").asLong(0));
      run.lifeCycle = "WAITING_FOR_RETRY";
      run.stateMessage = "Waiting for retry";
      schedule(() -> retry(run), Duration.ofMillis(wait));
      return;
    }
    run.lifeCycle = "TERMINATED";
    run.endTime = System.currentTimeMillis();
    if (run.graph != null) {
      advance(run.graph);
      return;
    }
    // a queued run of the same job may start now
    runs.values().stream()
        .filter(x -> x.jobId == run.jobId && x.lifeCycle.equals("QUEUED") && x.queueReason != null)
        .min(Comparator.comparingLong(x -> x.runId))
        .ifPresent(next -> schedule(() -> tryStart(next), Duration.ZERO));
  }

  /** True when the task's {@code max_retries} allow another attempt of this failed run. */
  private static boolean retries(EmulatedRun run) {
    if (run.cancelRequested || run.result == null) {
      return false;
    }
    boolean retryable =
        run.result.equals("FAILED")
            || (run.result.equals("TIMEDOUT")
                && run.task.path("retry_on_timeout").asBoolean(false));
    long max = run.task.path("max_retries").asLong(0);
    return retryable && (max < 0 || run.attempt < max);
  }

  /** WAITING_FOR_RETRY → PENDING: the next attempt, with a task run id of its own. */
  private synchronized void retry(EmulatedRun run) {
    if (!run.lifeCycle.equals("WAITING_FOR_RETRY")) {
      return;
    }
    if (run.cancelRequested) {
      run.lifeCycle = "TERMINATED";
      run.result = "CANCELED";
      run.terminationCode = "USER_CANCELED";
      run.terminationType = "SUCCESS";
      run.stateMessage = "Run cancelled by " + USER + ".";
      run.endTime = System.currentTimeMillis();
      if (run.graph != null) {
        advance(run.graph);
      }
      return;
    }
    byTaskRun.remove(run.taskRunId);
    run.taskRunId = nextRunId + 1;
    nextRunId += 2;
    byTaskRun.put(run.taskRunId, run);
    run.attempt++;
    run.result = null;
    run.exitCode = null;
    run.launchError = null;
    run.driver = null;
    run.timedOut = false;
    run.terminationCode = null;
    run.terminationType = null;
    run.runningTime = 0;
    run.lifeCycle = "PENDING";
    run.stateMessage = "Waiting for cluster";
    schedule(() -> launch(run), pendingFor);
  }

  /** Replaces {@code {{job.parameters.NAME}}} and {@code {{job.run_id}}} in a task parameter. */
  private static String references(String param, EmulatedRun run) {
    if (!param.contains("{{")) {
      return param;
    }
    String out = param;
    for (Map.Entry<String, String> e : run.jobParameters.entrySet()) {
      out = out.replace("{{job.parameters." + e.getKey() + "}}", e.getValue());
    }
    long jobRun = run.graph != null ? run.graph.runId : run.runId;
    return out.replace("{{job.run_id}}", Long.toString(jobRun))
        .replace("{{task.run_id}}", Long.toString(run.taskRunId));
  }

  /** A run of a multi-task job: every task BLOCKED until its dependencies end. Holds the lock. */
  private EmulatedGraphRun startGraph(Job job, JsonNode tasks, Map<String, String> jobParameters) {
    long id = nextRunId;
    nextRunId += 2;
    EmulatedGraphRun g =
        new EmulatedGraphRun(
            id,
            job.id,
            ++job.runs,
            job.settings.path("name").asText(),
            System.currentTimeMillis(),
            baseUrl().toString(),
            jobParameters);
    for (JsonNode t : tasks) {
      long taskRunId = nextRunId + 1;
      nextRunId += 2;
      EmulatedRun run =
          new EmulatedRun(
              taskRunId - 1,
              taskRunId,
              job.id,
              g.numberInJob,
              t.path("task_key").asText(),
              ((ObjectNode) t).deepCopy(),
              null,
              null,
              g.submitTime,
              baseUrl().toString(),
              t.path("timeout_seconds").asLong(0));
      run.lifeCycle = "BLOCKED";
      run.graph = g;
      run.jobParameters = g.jobParameters;
      g.tasks.add(run);
      byTaskRun.put(taskRunId, run);
    }
    graphRuns.put(id, g);
    g.startTime = System.currentTimeMillis();
    g.lifeCycle = "RUNNING";
    schedule(() -> advanceLocked(g), queuedFor);
    return g;
  }

  private synchronized void advanceLocked(EmulatedGraphRun g) {
    advance(g);
  }

  /**
   * Starts each BLOCKED task whose dependencies have all ended and whose run_if holds, skips those
   * whose run_if does not hold, and ends the job run when every task has ended. Holds the lock.
   */
  private void advance(EmulatedGraphRun g) {
    if (g.isTerminal() || closed) {
      return;
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (EmulatedRun t : g.tasks) {
        if (!t.lifeCycle.equals("BLOCKED")) {
          continue;
        }
        List<EmulatedRun> deps = new ArrayList<>();
        for (String d : EmulatedGraphRun.dependsOn(t)) {
          g.task(d).ifPresent(deps::add);
        }
        if (!deps.stream().allMatch(EmulatedGraphRun::isFinal)) {
          continue;
        }
        long ok = deps.stream().filter(d -> EmulatedGraphRun.outcome(d) > 0).count();
        long failed = deps.stream().filter(d -> EmulatedGraphRun.outcome(d) < 0).count();
        int n = deps.size();
        String runIf = t.task.path("run_if").asText("ALL_SUCCESS");
        boolean holds =
            !g.cancelRequested
                && switch (runIf) {
                  case "AT_LEAST_ONE_SUCCESS" -> n == 0 || ok > 0;
                  case "NONE_FAILED" -> failed == 0;
                  case "ALL_DONE" -> true;
                  case "AT_LEAST_ONE_FAILED" -> failed > 0;
                  case "ALL_FAILED" -> n > 0 && failed == n;
                  default -> ok == n;
                };
        if (holds) {
          t.lifeCycle = "PENDING";
          t.startTime = System.currentTimeMillis();
          t.stateMessage = "Waiting for cluster";
          schedule(() -> launch(t), pendingFor);
        } else {
          boolean upstreamFailed = failed > 0 && !runIf.endsWith("FAILED");
          boolean upstreamCancelled =
              g.cancelRequested || deps.stream().anyMatch(d -> "CANCELED".equals(d.result));
          t.lifeCycle = "SKIPPED";
          t.result =
              upstreamFailed
                  ? "UPSTREAM_FAILED"
                  : upstreamCancelled ? "UPSTREAM_CANCELED" : "EXCLUDED";
          t.terminationCode = "SKIPPED";
          t.terminationType = "SUCCESS";
          t.stateMessage =
              upstreamFailed
                  ? "Upstream task(s) failed."
                  : upstreamCancelled
                      ? "Upstream task(s) were cancelled."
                      : "The task's run_if condition " + runIf + " was not met.";
          t.endTime = System.currentTimeMillis();
        }
        changed = true;
      }
    }
    if (!g.tasks.stream().allMatch(EmulatedGraphRun::isFinal)) {
      return;
    }
    g.lifeCycle = "TERMINATED";
    g.endTime = System.currentTimeMillis();
    boolean leafFailed =
        g.tasks.stream()
            .filter(t -> !g.hasDependents(t.task.path("task_key").asText()))
            .anyMatch(t -> EmulatedGraphRun.outcome(t) < 0);
    boolean anyFailed = g.tasks.stream().anyMatch(t -> EmulatedGraphRun.outcome(t) < 0);
    if (g.cancelRequested) {
      g.result = "CANCELED";
      g.terminationCode = "USER_CANCELED";
      g.stateMessage = "Run cancelled by " + USER + ".";
    } else if (leafFailed) {
      g.result = "FAILED";
      g.terminationCode = "RUN_EXECUTION_ERROR";
      g.stateMessage = "Task(s) failed.";
    } else if (anyFailed) {
      g.result = "SUCCESS_WITH_FAILURES";
      g.terminationCode = "SUCCESS_WITH_FAILURES";
      g.stateMessage = "Some tasks failed; every leaf task succeeded.";
    } else {
      g.result = "SUCCESS";
      g.terminationCode = "SUCCESS";
      g.stateMessage = "";
    }
  }

  /** Cancels every task run of a multi-task run; tasks not started are skipped. Holds the lock. */
  private void cancelGraph(EmulatedGraphRun g) {
    if (g.isTerminal() || g.cancelRequested) {
      return;
    }
    g.cancelRequested = true;
    for (EmulatedRun t : g.tasks) {
      if (t.lifeCycle.equals("WAITING_FOR_RETRY")) {
        t.cancelRequested = true;
      } else if (!t.lifeCycle.equals("BLOCKED")) {
        cancel(t);
      } else if (EmulatedGraphRun.dependsOn(t).isEmpty()) {
        // a first task not started yet is cancelled; those after it are skipped as upstream
        // cancelled when their dependencies end
        t.cancelRequested = true;
        t.lifeCycle = "TERMINATED";
        t.result = "CANCELED";
        t.terminationCode = "USER_CANCELED";
        t.terminationType = "SUCCESS";
        t.stateMessage = "Run cancelled by " + USER + ".";
        t.endTime = System.currentTimeMillis();
      }
    }
    advance(g);
  }

  /** Requests a cancel; a no-op for a terminal or terminating run. Caller holds the lock. */
  private void cancel(EmulatedRun run) {
    if (run.isTerminal() || run.lifeCycle.equals("TERMINATING") || run.cancelRequested) {
      return;
    }
    run.cancelRequested = true;
    switch (run.lifeCycle) {
      case "QUEUED", "PENDING" -> {
        run.lifeCycle = "TERMINATING";
        run.result = "CANCELED";
        run.terminationCode = "USER_CANCELED";
        run.terminationType = "SUCCESS";
        run.stateMessage = "Run cancelled by " + USER + ".";
        schedule(() -> finish(run), terminatingFor);
      }
      case "RUNNING" -> {
        EmulatedDriver d = run.driver;
        killer.execute(d::kill); // the exit callback moves the run on
      }
      default -> {
        // nothing to do
      }
    }
  }

  // ------------------------------------------------------------------------------------------

  private static long requiredId(JsonNode body, String field) throws ApiException {
    JsonNode n = body.path(field);
    if (n.canConvertToLong() && (n.isNumber() || n.isTextual())) {
      try {
        return n.isNumber() ? n.asLong() : Long.parseLong(n.asText());
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw new ApiException(ApiErrors.invalid("Missing required field: " + field));
  }

  private static long requiredId(Request r, String param) throws ApiException {
    Optional<String> v = r.param(param);
    try {
      return Long.parseLong(v.orElseThrow());
    } catch (RuntimeException e) {
      throw new ApiException(
          ApiErrors.invalid(
              v.isEmpty()
                  ? "Missing required field: " + param
                  : "Invalid " + param + ": " + v.get()));
    }
  }

  private static List<String> strings(JsonNode n) {
    if (n == null || !n.isArray()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return out;
  }

  private static Optional<String> lastTraceback(String logs) {
    int at = logs.lastIndexOf("Traceback (most recent call last):");
    if (at < 0) {
      return Optional.empty();
    }
    List<String> lines = new ArrayList<>();
    boolean started = false;
    for (String line : logs.substring(at).split("\n", -1)) {
      if (started && !line.startsWith(" ") && !line.isEmpty()) {
        lines.add(line);
        break; // the exception line ends the traceback
      }
      started = true;
      lines.add(line);
    }
    return Optional.of(String.join("\n", lines).strip());
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }
}
