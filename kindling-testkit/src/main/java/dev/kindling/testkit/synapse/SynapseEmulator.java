package dev.kindling.testkit.synapse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.testkit.dfs.DfsEmulator;
import dev.kindling.testkit.emulator.EmulatedDriver;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.EmulatorServer;
import dev.kindling.testkit.emulator.EmulatorServer.Request;
import dev.kindling.testkit.emulator.EmulatorServer.Response;
import dev.kindling.testkit.emulator.TokenIssuer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Azure Synapse Analytics workspace on a loopback port ({@code platform-apis.md} §4, §5, §7):
 *
 * <ul>
 *   <li>the artifacts API for Spark job definitions ({@code ?api-version=} required): PUT as a
 *       long-running operation (202 + {@code Location}, then 200 from {@code /operationResults}),
 *       GET, DELETE, list with {@code nextLink}, and {@code execute} answering 202 with the batch;
 *       a definition can be made to answer 404 for a while after it is written ({@link
 *       #notFoundAfterPut});
 *   <li>Livy batches under {@code /livyApi/versions/{2019-11-01-preview|2020-12-01}/sparkPools/
 *       {pool}}: int32 ids per pool, lower-case states {@code not_started → starting → running →
 *       success|dead|killed}, {@code result} {@code Uncertain → Succeeded|Failed|Cancelled}, DELETE
 *       cancels, {@code /log?from=&size=} answers {@code {id, from, total, log}};
 *   <li>the workspace's ADLS Gen2 storage ({@link DfsEmulator}) on the same port.
 * </ul>
 *
 * Request bodies are checked against the specs' required fields ({@link SynapseSpec}); a mismatch
 * is a 400 naming the field. A submitted batch really runs: its main file (the bootstrap shim) runs
 * in {@code python3} through {@link EmulatedDriver} with a stand-in {@code mssparkutils} that maps
 * {@code abfss://<filesystem>@<storage host>} to the emulator's storage directory, so the app's
 * output and exit code become the batch's log and state.
 */
public final class SynapseEmulator implements Emulator {
  /** The platform id. */
  public static final String ID = "synapse";

  /** The Spark pool every emulator has. */
  public static final String DEFAULT_POOL = "pool1";

  /** The storage file system the target's artifacts live in. */
  public static final String FILESYSTEM = "kindling";

  /** The storage host abfss:// URLs name (requests go to the emulator through storage_url). */
  public static final String STORAGE_HOST = "emulator.dfs.core.windows.net";

  /** The artifacts API version. */
  public static final String API_VERSION = "2020-12-01";

  private static final Logger log = LoggerFactory.getLogger(SynapseEmulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> LIVY_VERSIONS = Set.of("2019-11-01-preview", "2020-12-01");
  private static final Pattern ABFSS = Pattern.compile("abfss://([^@/]+)@([^/]+)/(.+)");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSxxx").withZone(ZoneOffset.UTC);
  private static final int LIST_PAGE = 20;
  private static final int LOG_FIELD_LINES = 10;

  private final EmulatorOptions options;
  private final EmulatorServer server;
  private final DfsEmulator dfs;
  private final Clock clock;
  private final Path runsDir;
  private final Map<String, Definition> definitions = new ConcurrentHashMap<>();
  private final Map<String, Pool> pools = new ConcurrentHashMap<>();
  private final Map<String, Operation> operations = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> pipelines = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> triggers = new ConcurrentHashMap<>();
  private final ExecutorService drivers;
  private volatile Duration notFoundAfterPut = Duration.ZERO;
  private volatile int operationPolls = 1;
  private volatile int listPageSize = 50;

  private SynapseEmulator(EmulatorOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
    this.runsDir = options.dataDir().resolve("synapse-runs");
    this.drivers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "synapse-emulator-driver");
              t.setDaemon(true);
              return t;
            });
    pools.put(DEFAULT_POOL, new Pool(DEFAULT_POOL));
    this.server = new EmulatorServer(ID, options.port(), clock);
    this.dfs = DfsEmulator.in(options.dataDir(), options.token());
    dfs.filesystem(FILESYSTEM);
    routes();
    dfs.register(
        server, "sparkJobDefinitions", "operationResults", "livyApi", "pipelines", "triggers");
  }

  /** Starts an emulator with the default pool {@value #DEFAULT_POOL}. */
  public static SynapseEmulator start(EmulatorOptions options) {
    return new SynapseEmulator(options, Clock.systemUTC());
  }

  private volatile TokenIssuer issuer;

  /**
   * Issues expiring tokens ({@link TokenIssuer#PATH}) for the Synapse API and ADLS, and accepts
   * them besides the static token.
   */
  public SynapseEmulator tokenIssuer(TokenIssuer issuer) {
    this.issuer = issuer;
    issuer.register(server);
    dfs.tokenIssuer(issuer);
    return this;
  }

  /** Every stored Spark job definition (its resource JSON) and every batch submitted, as text. */
  public List<String> storedDefinitions() {
    List<String> out = new ArrayList<>();
    definitions.values().forEach(d -> out.add(d.resource().toString()));
    for (Pool p : pools.values()) {
      p.batches.values().forEach(b -> out.add(b.toJson().toString()));
    }
    return out;
  }

  /** Adds a Spark pool. */
  public SynapseEmulator addPool(String name) {
    pools.putIfAbsent(name, new Pool(name));
    return this;
  }

  /**
   * For {@code window} after a definition is written, GET and execute of it answer 404, as Synapse
   * does for a few seconds (default: no window).
   */
  public SynapseEmulator notFoundAfterPut(Duration window) {
    this.notFoundAfterPut = window;
    return this;
  }

  /** How many polls of a long-running operation answer 202 before it is done (default 1). */
  public SynapseEmulator operationPolls(int polls) {
    this.operationPolls = polls;
    return this;
  }

  /** How many definitions one list page holds before {@code nextLink} (default 50). */
  public SynapseEmulator listPageSize(int n) {
    this.listPageSize = n;
    return this;
  }

  /**
   * Completes with the state a batch reaches first among {@code states} (e.g. {@code running}, or
   * {@code success}, {@code dead}, {@code killed}): for tests that wait on events, not sleeps.
   */
  public CompletableFuture<String> batchReaches(String pool, int id, String... states) {
    Pool p = pools.get(pool);
    Batch b = p == null ? null : p.batches.get(id);
    if (b == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("no batch " + id + " on pool " + pool));
    }
    return b.reaches(Set.of(states));
  }

  /** The storage emulator behind {@code abfss://...@}{@value #STORAGE_HOST}. */
  public DfsEmulator storage() {
    return dfs;
  }

  /** The artifacts root of {@link #target()}. */
  public String artifactsPath() {
    return "abfss://" + FILESYSTEM + "@" + STORAGE_HOST + "/kindling";
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public EmulatorServer server() {
    return server;
  }

  @Override
  public Map<String, Object> target() {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("platform", ID);
    t.put("workspace_url", baseUrl().toString());
    t.put("storage_url", baseUrl().toString());
    t.put("spark_pool_name", DEFAULT_POOL);
    t.put("artifacts_path", artifactsPath());
    t.put("auth", Map.of("method", "token", "token", options.token()));
    return t;
  }

  @Override
  public void close() {
    server.close();
    for (Pool p : pools.values()) {
      for (Batch b : p.batches.values()) {
        EmulatedDriver d = b.driver;
        if (d != null && d.isAlive()) {
          d.kill();
        }
      }
    }
    drivers.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------
  // Routes

  private void routes() {
    String name = "/sparkJobDefinitions/([^/]+)";
    server.route("GET", "/sparkJobDefinitions/?", r -> artifacts(r, () -> listDefinitions(r)));
    server.route("PUT", name, r -> artifacts(r, () -> putDefinition(r)));
    server.route("GET", name, r -> artifacts(r, () -> getDefinition(r)));
    server.route("DELETE", name, r -> artifacts(r, () -> deleteDefinition(r)));
    server.route("POST", name + "/execute", r -> artifacts(r, () -> execute(r)));
    server.route("GET", "/operationResults/(.+)", r -> artifacts(r, () -> operation(r)));

    server.route("PUT", "/pipelines/([^/]+)", r -> artifacts(r, () -> putPipeline(r)));
    server.route(
        "GET",
        "/pipelines/([^/]+)",
        r -> artifacts(r, () -> artifact(pipelines, "Pipeline", r.group(1))));
    server.route("DELETE", "/pipelines/([^/]+)", r -> artifacts(r, () -> deletePipeline(r)));
    server.route("GET", "/triggers/?", r -> artifacts(r, () -> listTriggers()));
    server.route("PUT", "/triggers/([^/]+)", r -> artifacts(r, () -> putTrigger(r)));
    server.route(
        "GET",
        "/triggers/([^/]+)",
        r -> artifacts(r, () -> artifact(triggers, "Trigger", r.group(1))));
    server.route("DELETE", "/triggers/([^/]+)", r -> artifacts(r, () -> deleteTrigger(r)));
    server.route(
        "POST", "/triggers/([^/]+)/(start|stop)", r -> artifacts(r, () -> triggerState(r)));

    String livy = "/livyApi/versions/([^/]+)/sparkPools/([^/]+)/batches";
    server.route("POST", livy + "/?", r -> livy(r, p -> submit(r, p)));
    server.route("GET", livy + "/?", r -> livy(r, p -> listBatches(r, p)));
    server.route("GET", livy + "/(-?[0-9]+)", r -> livy(r, p -> batch(r, p, b -> get(b))));
    server.route("DELETE", livy + "/(-?[0-9]+)", r -> livy(r, p -> batch(r, p, this::cancel)));
    server.route(
        "GET",
        livy + "/(-?[0-9]+)/state",
        r ->
            livy(
                r,
                p -> batch(r, p, b -> Response.json(200, Map.of("id", b.id, "state", b.state)))));
    server.route(
        "GET", livy + "/(-?[0-9]+)/log", r -> livy(r, p -> batch(r, p, b -> logPage(r, b))));
  }

  @FunctionalInterface
  private interface Action {
    Response run() throws Exception;
  }

  @FunctionalInterface
  private interface PoolAction {
    Response run(Pool pool) throws Exception;
  }

  @FunctionalInterface
  private interface BatchAction {
    Response run(Batch batch) throws Exception;
  }

  private Response artifacts(Request r, Action action) throws Exception {
    Optional<Response> denied = authorize(r);
    if (denied.isPresent()) {
      return denied.get();
    }
    Optional<String> version = r.param("api-version");
    if (version.isEmpty()) {
      return cloudError(
          400, "MissingApiVersionParameter", "The api-version query parameter is required.");
    }
    if (!version.get().equals(API_VERSION) && !r.path().startsWith("/operationResults/")) {
      return cloudError(
          400,
          "InvalidApiVersionParameter",
          "The api-version '"
              + version.get()
              + "' is invalid. The supported version is '"
              + API_VERSION
              + "'.");
    }
    return action.run();
  }

  private Response livy(Request r, PoolAction action) throws Exception {
    Optional<Response> denied = authorize(r);
    if (denied.isPresent()) {
      return denied.get();
    }
    if (!LIVY_VERSIONS.contains(r.group(1))) {
      return livyError(
          404,
          "Livy API version '"
              + r.group(1)
              + "' is not supported; use one of "
              + String.join(", ", new java.util.TreeSet<>(LIVY_VERSIONS)));
    }
    Pool pool = pools.get(r.group(2));
    if (pool == null) {
      return livyError(
          404, "Spark pool '" + r.group(2) + "' does not exist in workspace 'emulator'.");
    }
    return action.run(pool);
  }

  private Response batch(Request r, Pool pool, BatchAction action) throws Exception {
    long raw = Long.parseLong(r.group(3));
    Batch b = raw < 0 || raw > Integer.MAX_VALUE ? null : pool.batches.get((int) raw);
    if (b == null) {
      return livyError(404, "Session '" + raw + "' not found.");
    }
    return action.run(b);
  }

  private Optional<Response> authorize(Request r) {
    if (r.bearer().filter(options.token()::equals).isPresent()) {
      return Optional.empty();
    }
    TokenIssuer i = issuer;
    if (i != null && r.bearer().isPresent()) {
      TokenIssuer.Verdict v = i.check(r.bearer().get(), TokenIssuer.API);
      if (v == TokenIssuer.Verdict.VALID) {
        return Optional.empty();
      }
      if (v == TokenIssuer.Verdict.EXPIRED) {
        return Optional.of(
            cloudError(401, "ExpiredAuthenticationToken", "The access token has expired."));
      }
      if (v == TokenIssuer.Verdict.REVOKED) {
        return Optional.of(
            cloudError(401, "InvalidAuthenticationToken", "The access token is no longer valid."));
      }
    }
    return Optional.of(
        cloudError(
            401,
            "Unauthorized",
            "The request is not authorized: a bearer token for https://dev.azuresynapse.net is required."));
  }

  // ---------------------------------------------------------------------------------------------
  // Spark job definitions

  private Response putDefinition(Request r) throws IOException {
    String name = r.group(1);
    if (!name.matches("[A-Za-z0-9_][^<>*#.%&:\\\\+?/]{0,259}")) {
      return cloudError(400, "InvalidArtifactName", "'" + name + "' is not a valid artifact name.");
    }
    JsonNode body = readBody(r);
    if (body == null || !body.isObject()) {
      return cloudError(
          400, "InvalidRequestContent", "The body must be a SparkJobDefinitionResource object.");
    }
    List<String> problems = SynapseSpec.checkDefinition(body);
    if (!problems.isEmpty()) {
      return cloudError(
          400,
          "InvalidRequestContent",
          "The SparkJobDefinitionResource is invalid: " + String.join("; ", problems));
    }
    String pool = body.path("properties").path("targetBigDataPool").path("referenceName").asText();
    if (!pools.containsKey(pool)) {
      return cloudError(
          400, "BigDataPoolNotFound", "The referenced Spark pool '" + pool + "' does not exist.");
    }
    ObjectNode resource = JSON.createObjectNode();
    resource.put(
        "id",
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/"
            + "Microsoft.Synapse/workspaces/emulator/sparkjobdefinitions/"
            + name);
    resource.put("name", name);
    resource.put("type", "Microsoft.Synapse/workspaces/sparkjobdefinitions");
    resource.set("properties", body.path("properties").deepCopy());
    resource.put("etag", UUID.randomUUID().toString());
    definitions.put(name, new Definition(resource, clock.instant()));
    String op = UUID.randomUUID().toString();
    operations.put(op, new Operation(resource, operationPolls));
    return Response.empty(202)
        .header("Location", baseUrl() + "/operationResults/" + op + "?api-version=" + API_VERSION)
        .header("Retry-After", "0");
  }

  private Optional<Definition> visible(String name) {
    Definition d = definitions.get(name);
    if (d == null || clock.instant().isBefore(d.writtenAt.plus(notFoundAfterPut))) {
      return Optional.empty();
    }
    return Optional.of(d);
  }

  private Response getDefinition(Request r) {
    return visible(r.group(1))
        .map(d -> Response.json(200, d.resource).header("ETag", d.resource.path("etag").asText()))
        .orElseGet(() -> notFound(r.group(1)));
  }

  private Response deleteDefinition(Request r) {
    Definition d = definitions.remove(r.group(1));
    return d == null ? Response.empty(204) : Response.empty(200);
  }

  private Response listDefinitions(Request r) {
    List<String> names = new ArrayList<>(new TreeMap<>(definitions).keySet());
    int from = r.param("skip").map(Integer::parseInt).orElse(0);
    int to = Math.min(names.size(), from + listPageSize);
    ArrayNode value = JSON.createArrayNode();
    for (String n : names.subList(Math.min(from, names.size()), to)) {
      value.add(definitions.get(n).resource);
    }
    ObjectNode page = JSON.createObjectNode();
    page.set("value", value);
    if (to < names.size()) {
      page.put(
          "nextLink",
          baseUrl() + "/sparkJobDefinitions?api-version=" + API_VERSION + "&skip=" + to);
    }
    return Response.json(200, page);
  }

  private Response execute(Request r) {
    Optional<Definition> d = visible(r.group(1));
    if (d.isEmpty()) {
      return notFound(r.group(1));
    }
    JsonNode props = d.get().resource.path("properties");
    JsonNode job = props.path("jobProperties");
    ObjectNode options = job.deepCopy();
    options.put("name", job.path("name").asText(r.group(1)));
    Pool pool = pools.get(props.path("targetBigDataPool").path("referenceName").asText());
    if (pool == null) {
      return cloudError(400, "BigDataPoolNotFound", "The definition's Spark pool does not exist.");
    }
    Batch b = pool.submit(options, r.group(1));
    return Response.json(202, b.toJson())
        .header(
            "Location",
            baseUrl()
                + "/operationResults/arcadiaSpark$$"
                + pool.name
                + "$$batch$$"
                + b.id
                + "?api-version="
                + API_VERSION);
  }

  private Response operation(Request r) {
    String id = r.group(1);
    Matcher batchOp =
        Pattern.compile("arcadiaSpark\\$\\$([^$]+)\\$\\$batch\\$\\$([0-9]+)").matcher(id);
    if (batchOp.matches()) {
      Pool pool = pools.get(batchOp.group(1));
      Batch b = pool == null ? null : pool.batches.get(Integer.parseInt(batchOp.group(2)));
      if (b == null) {
        return cloudError(404, "OperationNotFound", "No operation " + id + ".");
      }
      return b.isTerminal()
          ? Response.json(200, b.toJson())
          : Response.empty(202).header("Retry-After", "1");
    }
    Operation op = operations.get(id);
    if (op == null) {
      return cloudError(404, "OperationNotFound", "No operation " + id + ".");
    }
    if (op.remaining.getAndDecrement() > 0) {
      return Response.empty(202).header("Retry-After", "0");
    }
    return Response.json(200, op.result);
  }

  // ---------------------------------------------------------------------------------------------
  // Pipelines and schedule triggers (platform-apis.md §4.8)

  private static final java.util.Set<String> FREQUENCIES =
      java.util.Set.of("Minute", "Hour", "Day", "Week", "Month", "Year");
  private static final java.util.Set<String> WEEK_DAYS =
      java.util.Set.of(
          "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday");

  /** The pipeline {@code name} as stored, if any; for tests. */
  public Optional<JsonNode> pipeline(String name) {
    return Optional.ofNullable(pipelines.get(name)).map(JsonNode::deepCopy);
  }

  /** The trigger {@code name} as stored (with {@code runtimeState}), if any; for tests. */
  public Optional<JsonNode> trigger(String name) {
    return Optional.ofNullable(triggers.get(name)).map(JsonNode::deepCopy);
  }

  private ObjectNode resource(String kind, String name, JsonNode properties) {
    ObjectNode resource = JSON.createObjectNode();
    resource.put(
        "id",
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/"
            + "Microsoft.Synapse/workspaces/emulator/"
            + kind
            + "/"
            + name);
    resource.put("name", name);
    resource.put("type", "Microsoft.Synapse/workspaces/" + kind);
    resource.set("properties", properties.deepCopy());
    resource.put("etag", UUID.randomUUID().toString());
    return resource;
  }

  private Response accepted(JsonNode result) {
    String op = UUID.randomUUID().toString();
    operations.put(op, new Operation(result, operationPolls));
    return Response.empty(202)
        .header("Location", baseUrl() + "/operationResults/" + op + "?api-version=" + API_VERSION)
        .header("Retry-After", "0");
  }

  private static Response artifact(Map<String, ObjectNode> store, String kind, String name) {
    ObjectNode a = store.get(name);
    return a == null
        ? cloudError(404, kind + "NotFound", kind + " '" + name + "' was not found.")
        : Response.json(200, a);
  }

  private synchronized Response putPipeline(Request r) throws IOException {
    String name = r.group(1);
    JsonNode body = readBody(r);
    List<String> problems = new ArrayList<>();
    JsonNode activities = body == null ? null : body.path("properties").path("activities");
    if (activities == null || !activities.isArray() || activities.isEmpty()) {
      problems.add("properties.activities must be a non-empty list");
    } else {
      for (JsonNode a : activities) {
        if (a.path("name").asText("").isBlank()) {
          problems.add("every activity needs a name");
        }
        if (a.path("type").asText().equals("SparkJob")) {
          JsonNode ref = a.path("typeProperties").path("sparkJob");
          if (!ref.path("type").asText().equals("SparkJobDefinitionReference")) {
            problems.add("typeProperties.sparkJob.type must be SparkJobDefinitionReference");
          } else if (!definitions.containsKey(ref.path("referenceName").asText())) {
            problems.add(
                "the Spark job definition '"
                    + ref.path("referenceName").asText()
                    + "' does not exist");
          }
        } else {
          problems.add("the emulator runs only SparkJob activities, not " + a.path("type"));
        }
      }
    }
    if (!problems.isEmpty()) {
      return cloudError(
          400, "InvalidRequestContent", "The pipeline is invalid: " + String.join("; ", problems));
    }
    ObjectNode resource = resource("pipelines", name, body.path("properties"));
    pipelines.put(name, resource);
    return accepted(resource);
  }

  private synchronized Response deletePipeline(Request r) {
    String name = r.group(1);
    for (ObjectNode t : triggers.values()) {
      boolean uses = false;
      for (JsonNode p : t.path("properties").path("pipelines")) {
        uses |= p.path("pipelineReference").path("referenceName").asText().equals(name);
      }
      if (uses && "Started".equals(t.path("properties").path("runtimeState").asText())) {
        return cloudError(
            400,
            "PipelineInUse",
            "Pipeline '"
                + name
                + "' is referenced by the started trigger '"
                + t.path("name").asText()
                + "'.");
      }
    }
    return pipelines.remove(name) == null ? Response.empty(204) : Response.empty(200);
  }

  private Response listTriggers() {
    ObjectNode page = JSON.createObjectNode();
    ArrayNode value = page.putArray("value");
    new TreeMap<>(triggers).values().forEach(value::add);
    return Response.json(200, page);
  }

  private synchronized Response putTrigger(Request r) throws IOException {
    String name = r.group(1);
    JsonNode body = readBody(r);
    ObjectNode existing = triggers.get(name);
    if (existing != null
        && "Started".equals(existing.path("properties").path("runtimeState").asText())) {
      return cloudError(
          400,
          "TriggerEnabledCannotUpdate",
          "Cannot update enabled Trigger '" + name + "'; it needs to be stopped first.");
    }
    List<String> problems = checkTrigger(body);
    if (!problems.isEmpty()) {
      return cloudError(
          400, "InvalidRequestContent", "The trigger is invalid: " + String.join("; ", problems));
    }
    ObjectNode props = ((ObjectNode) body.path("properties")).deepCopy();
    props.put("runtimeState", "Stopped");
    ObjectNode resource = resource("triggers", name, props);
    triggers.put(name, resource);
    return accepted(resource);
  }

  private List<String> checkTrigger(JsonNode body) {
    List<String> problems = new ArrayList<>();
    JsonNode props = body == null ? null : body.path("properties");
    if (props == null || !props.isObject()) {
      return List.of("the body needs properties");
    }
    if (!props.path("type").asText().equals("ScheduleTrigger")) {
      problems.add("the emulator supports ScheduleTrigger, not " + props.path("type"));
    }
    JsonNode refs = props.path("pipelines");
    if (!refs.isArray() || refs.isEmpty()) {
      problems.add("pipelines must name at least one pipeline");
    }
    for (JsonNode p : refs) {
      JsonNode ref = p.path("pipelineReference");
      if (!ref.path("type").asText().equals("PipelineReference")
          || !pipelines.containsKey(ref.path("referenceName").asText())) {
        problems.add("pipeline '" + ref.path("referenceName").asText() + "' does not exist");
      }
    }
    JsonNode rec = props.path("typeProperties").path("recurrence");
    if (!FREQUENCIES.contains(rec.path("frequency").asText())) {
      problems.add("recurrence.frequency must be one of " + new java.util.TreeSet<>(FREQUENCIES));
    }
    if (rec.path("interval").asLong(0) < 1) {
      problems.add("recurrence.interval must be a positive integer");
    }
    String zone = rec.path("timeZone").asText("");
    if (zone.isBlank() || zone.contains("/")) {
      problems.add("recurrence.timeZone '" + zone + "' is not a Windows time zone id");
    }
    String start = rec.path("startTime").asText("");
    boolean utc = zone.equals("UTC");
    if (start.isBlank()) {
      problems.add("recurrence.startTime is required");
    } else if (!utc && (start.endsWith("Z") || start.matches(".*[+-][0-9]{2}:[0-9]{2}$"))) {
      problems.add(
          "recurrence.startTime must be a local time without an offset when timeZone is not UTC");
    }
    JsonNode sched = rec.path("schedule");
    checkRange(sched.path("minutes"), 0, 59, "minutes", problems);
    checkRange(sched.path("hours"), 0, 23, "hours", problems);
    checkRange(sched.path("monthDays"), -31, 31, "monthDays", problems);
    for (JsonNode d : sched.path("weekDays")) {
      if (!WEEK_DAYS.contains(d.asText())) {
        problems.add("'" + d.asText() + "' is not a day of the week");
      }
    }
    return problems;
  }

  private static void checkRange(
      JsonNode values, int lo, int hi, String field, List<String> problems) {
    for (JsonNode v : values) {
      if (!v.canConvertToInt() || v.asInt() < lo || v.asInt() > hi || v.asInt() == 0 && lo < 0) {
        problems.add("schedule." + field + " value " + v + " is out of range");
      }
    }
  }

  private synchronized Response deleteTrigger(Request r) {
    ObjectNode t = triggers.get(r.group(1));
    if (t == null) {
      return Response.empty(204);
    }
    if ("Started".equals(t.path("properties").path("runtimeState").asText())) {
      return cloudError(
          400,
          "TriggerEnabledCannotUpdate",
          "Cannot delete enabled Trigger '" + r.group(1) + "'; it needs to be stopped first.");
    }
    triggers.remove(r.group(1));
    return Response.empty(200);
  }

  private synchronized Response triggerState(Request r) {
    ObjectNode t = triggers.get(r.group(1));
    if (t == null) {
      return cloudError(404, "TriggerNotFound", "Trigger '" + r.group(1) + "' was not found.");
    }
    ((ObjectNode) t.path("properties"))
        .put("runtimeState", r.group(2).equals("start") ? "Started" : "Stopped");
    return accepted(JSON.createObjectNode());
  }

  /** A pipeline run a trigger started: which trigger and pipeline, the time, and its batches. */
  public record TriggerRun(String trigger, String pipeline, Instant at, List<Integer> batchIds) {}

  private final List<TriggerRun> triggerRuns = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Fires the started schedule triggers for the time window {@code (from, to]} the test chooses, as
   * Synapse would have over it ({@link TriggerRecurrence}; {@code timeZone} a Windows id of {@link
   * dev.kindling.testkit.emulator.WindowsZoneIds}). Each firing runs every pipeline of the trigger:
   * each {@code SparkJob} activity submits its referenced Spark job definition as a Livy batch on
   * the definition's pool, exactly as {@code …/execute} does (the definition's own arguments, its
   * name as the batch's {@code artifactId}). Stopped triggers fire nothing; a pipeline or
   * definition that no longer exists runs nothing.
   *
   * @return the submitted batch ids, in firing order
   */
  public List<Integer> fireTriggers(Instant from, Instant to) {
    record Due(String trigger, String pipeline, Instant at) {}
    List<Due> due = new ArrayList<>();
    synchronized (this) {
      for (ObjectNode t : new TreeMap<>(triggers).values()) {
        JsonNode props = t.path("properties");
        if (!"Started".equals(props.path("runtimeState").asText())) {
          continue;
        }
        JsonNode rec = props.path("typeProperties").path("recurrence");
        for (Instant at : TriggerRecurrence.between(rec, from, to)) {
          for (JsonNode p : props.path("pipelines")) {
            due.add(
                new Due(
                    t.path("name").asText(),
                    p.path("pipelineReference").path("referenceName").asText(),
                    at));
          }
        }
      }
    }
    due.sort(java.util.Comparator.comparing(Due::at));
    List<Integer> started = new ArrayList<>();
    for (Due d : due) {
      List<Integer> batches = new ArrayList<>();
      ObjectNode pipeline = pipelines.get(d.pipeline());
      JsonNode activities =
          pipeline == null
              ? JSON.createArrayNode()
              : pipeline.path("properties").path("activities");
      for (JsonNode a : activities) {
        String name = a.path("typeProperties").path("sparkJob").path("referenceName").asText();
        Definition def = definitions.get(name);
        if (!a.path("type").asText().equals("SparkJob") || def == null) {
          continue;
        }
        JsonNode props = def.resource.path("properties");
        Pool pool = pools.get(props.path("targetBigDataPool").path("referenceName").asText());
        if (pool == null) {
          continue;
        }
        ObjectNode options = props.path("jobProperties").deepCopy();
        options.put("name", props.path("jobProperties").path("name").asText(name));
        batches.add(pool.submit(options, name).id);
      }
      triggerRuns.add(new TriggerRun(d.trigger(), d.pipeline(), d.at(), List.copyOf(batches)));
      started.addAll(batches);
    }
    return started;
  }

  /** Every pipeline run a trigger started ({@link #fireTriggers}), in firing order. */
  public List<TriggerRun> triggerRuns() {
    return List.copyOf(triggerRuns);
  }

  private static Response notFound(String name) {
    return cloudError(
        404,
        "SparkJobDefinitionNotFound",
        "The Spark job definition '" + name + "' was not found in workspace 'emulator'.");
  }

  // ---------------------------------------------------------------------------------------------
  // Livy batches

  private Response submit(Request r, Pool pool) throws IOException {
    JsonNode body = readBody(r);
    if (body == null) {
      return livyError(400, "The body must be a SparkBatchJobOptions JSON object.");
    }
    List<String> problems = SynapseSpec.checkBatchOptions(body);
    if (!problems.isEmpty()) {
      return livyError(400, "Invalid SparkBatchJobOptions: " + String.join("; ", problems));
    }
    Batch b = pool.submit((ObjectNode) body, null);
    return Response.json(200, b.toJson());
  }

  private Response listBatches(Request r, Pool pool) {
    int from = r.param("from").map(Integer::parseInt).orElse(0);
    int size = Math.min(20, r.param("size").map(Integer::parseInt).orElse(20));
    List<Batch> all = new ArrayList<>(new TreeMap<>(pool.batches).values());
    ArrayNode sessions = JSON.createArrayNode();
    for (int i = Math.max(0, from); i < Math.min(all.size(), from + size); i++) {
      sessions.add(all.get(i).toJson());
    }
    ObjectNode page = JSON.createObjectNode();
    page.put("from", from);
    page.put("total", all.size());
    page.set("sessions", sessions);
    return Response.json(200, page);
  }

  private Response get(Batch b) {
    return Response.json(200, b.toJson());
  }

  private Response cancel(Batch b) {
    EmulatedDriver toKill;
    synchronized (b) {
      if (b.isTerminal()) {
        return Response.json(200, Map.of("msg", "deleted"));
      }
      b.cancellationRequestedAt = clock.instant();
      b.transition("killed", "Cancelled");
      toKill = b.driver;
    }
    if (toKill != null) {
      drivers.execute(toKill::kill);
    }
    return Response.json(200, Map.of("msg", "deleted"));
  }

  private Response logPage(Request r, Batch b) {
    List<String> lines = b.logLines();
    int total = lines.size();
    int size = r.param("size").map(Integer::parseInt).orElse(100);
    if (size < 0) {
      size = total;
    }
    int from = r.param("from").map(Integer::parseInt).orElse(-1);
    if (from < 0) {
      from = Math.max(0, total - size);
    }
    from = Math.min(from, total);
    int to = Math.min(total, from + size);
    ObjectNode page = JSON.createObjectNode();
    page.put("id", b.id);
    page.put("from", from);
    page.put("total", total);
    ArrayNode log = page.putArray("log");
    lines.subList(from, to).forEach(log::add);
    return Response.json(200, page);
  }

  /**
   * Runs a batch's main file for real: Python in an {@link EmulatedDriver}, or, for a batch with a
   * {@code className}, that class of the file and jars on Spark in local mode.
   */
  private void run(Batch b) {
    String file = b.options.path("file").asText();
    Matcher m = ABFSS.matcher(file);
    Path local = null;
    if (m.matches() && m.group(2).equalsIgnoreCase(STORAGE_HOST)) {
      local = dfs.file(m.group(1), m.group(3));
    }
    synchronized (b) {
      if (b.isTerminal()) {
        return;
      }
      b.transition("starting", "Uncertain");
      if (local == null || !Files.isRegularFile(local)) {
        b.errors.add(
            Map.of(
                "message",
                "The main file " + file + " does not exist in the workspace's storage.",
                "errorCode",
                "SPARK_JOB_FILE_NOT_FOUND",
                "source",
                "User"));
        b.transition("dead", "Failed");
        return;
      }
      List<String> args = new ArrayList<>();
      b.options.path("args").forEach(a -> args.add(a.asText()));
      String className = b.options.path("className").asText("");
      if (!className.isBlank()) {
        // a JVM batch: the class of the file and jars, on Spark in local mode
        Optional<Path> spark = EmulatedDriver.sparkClasspath();
        List<Path> jars = new ArrayList<>(List.of(local));
        for (JsonNode j : b.options.path("jars")) {
          Matcher jm = ABFSS.matcher(j.asText());
          Path jar =
              jm.matches() && jm.group(2).equalsIgnoreCase(STORAGE_HOST)
                  ? dfs.file(jm.group(1), jm.group(3))
                  : null;
          if (jar == null || !Files.isRegularFile(jar)) {
            b.errors.add(
                Map.of(
                    "message",
                    "The jar " + j.asText() + " does not exist in the workspace's storage.",
                    "errorCode",
                    "SPARK_JOB_FILE_NOT_FOUND",
                    "source",
                    "User"));
            b.transition("dead", "Failed");
            return;
          }
          jars.add(jar);
        }
        if (spark.isEmpty()) {
          b.errors.add(
              Map.of(
                  "message",
                  EmulatedDriver.noSparkMessage(),
                  "errorCode",
                  "SPARK_JOB_SUBMISSION_FAILED",
                  "source",
                  "System"));
          b.transition("dead", "Failed");
          return;
        }
        b.driver = EmulatedDriver.startJvm(spark.get(), jars, className, args, b.runDir);
        b.appId = "application_" + clock.millis() + "_" + String.format("%04d", b.id);
        b.transition("running", "Uncertain");
      } else {
        b.driver =
            EmulatedDriver.start(
                options.python(),
                EmulatedDriver.Utils.MSSPARKUTILS,
                "abfss://" + m.group(1) + "@" + m.group(2),
                dfs.filesystem(m.group(1)),
                local,
                args,
                b.runDir);
        b.appId = "application_" + clock.millis() + "_" + String.format("%04d", b.id);
        b.transition("running", "Uncertain");
      }
    }
    b.driver.onExit().thenAccept(code -> finish(b, code));
  }

  private void finish(Batch b, int code) {
    synchronized (b) {
      if (b.isTerminal()) {
        return;
      }
      if (code == 0) {
        b.transition("success", "Succeeded");
      } else {
        b.errors.add(
            Map.of(
                "message",
                "The Spark application ended with exit code " + code + "; see the driver log.",
                "errorCode",
                "SPARK_JOB_FAILED",
                "source",
                "User"));
        b.transition("dead", "Failed");
      }
    }
    log.debug("batch {} of pool {} ended with exit code {}", b.id, b.pool, code);
  }

  // ---------------------------------------------------------------------------------------------

  private static JsonNode readBody(Request r) throws IOException {
    byte[] bytes = r.bytes();
    if (bytes.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  private static Response cloudError(int status, String code, String message) {
    return Response.json(status, Map.of("error", Map.of("code", code, "message", message)))
        .header("x-ms-request-id", UUID.randomUUID().toString());
  }

  private static Response livyError(int status, String message) {
    return Response.json(status, Map.of("msg", message));
  }

  private String time(Instant t) {
    return t == null ? null : TIME.format(t);
  }

  private record Definition(ObjectNode resource, Instant writtenAt) {}

  private static final class Operation {
    final JsonNode result;
    final AtomicInteger remaining;

    Operation(JsonNode result, int polls) {
      this.result = result;
      this.remaining = new AtomicInteger(polls);
    }
  }

  private final class Pool {
    final String name;
    final AtomicInteger nextId = new AtomicInteger();
    final Map<Integer, Batch> batches = new ConcurrentHashMap<>();

    Pool(String name) {
      this.name = name;
    }

    Batch submit(ObjectNode batchOptions, String artifactId) {
      int id = nextId.getAndIncrement();
      Batch b =
          new Batch(
              id,
              name,
              batchOptions,
              artifactId,
              runsDir.resolve(name).resolve(Integer.toString(id)));
      batches.put(id, b);
      drivers.execute(() -> run(b));
      return b;
    }
  }

  private final class Batch {
    final int id;
    final String pool;
    final ObjectNode options;
    final String artifactId;
    final Path runDir;
    final Instant submittedAt = clock.instant();
    final Map<String, Instant> stateTimes = new LinkedHashMap<>();
    final List<Map<String, String>> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile String state = "not_started";
    volatile String result = "Uncertain";
    volatile EmulatedDriver driver;
    volatile String appId;
    volatile Instant cancellationRequestedAt;
    volatile Instant endedAt;
    final List<Map.Entry<Set<String>, CompletableFuture<String>>> waiters =
        new ArrayList<>(); // guarded by this

    Batch(int id, String pool, ObjectNode options, String artifactId, Path runDir) {
      this.id = id;
      this.pool = pool;
      this.options = options;
      this.artifactId = artifactId;
      this.runDir = runDir;
      stateTimes.put("not_started", submittedAt);
    }

    boolean isTerminal() {
      return Set.of("success", "dead", "killed", "error").contains(state);
    }

    synchronized void transition(String to, String res) {
      if (isTerminal()) {
        return;
      }
      state = to;
      result = res;
      stateTimes.putIfAbsent(to, clock.instant());
      if (isTerminal()) {
        endedAt = clock.instant();
      }
      waiters.removeIf(
          w -> {
            if (w.getKey().contains(to) || isTerminal()) {
              w.getValue().complete(to);
              return true;
            }
            return false;
          });
    }

    synchronized CompletableFuture<String> reaches(Set<String> states) {
      CompletableFuture<String> f = new CompletableFuture<>();
      if (states.contains(state) || isTerminal()) {
        f.complete(state);
      } else {
        waiters.add(Map.entry(states, f));
      }
      return f;
    }

    List<String> logLines() {
      EmulatedDriver d = driver;
      Path file = d != null ? d.outputFile() : runDir.resolve("driver.log");
      List<String> lines = new ArrayList<>();
      lines.add("stdout: ");
      try {
        if (Files.isRegularFile(file)) {
          String text = Files.readString(file, StandardCharsets.UTF_8);
          if (!text.isEmpty()) {
            lines.addAll(List.of(text.split("\r?\n", -1)));
            if (lines.get(lines.size() - 1).isEmpty()) {
              lines.remove(lines.size() - 1);
            }
          }
        }
      } catch (IOException e) {
        lines.add("<driver log unreadable: " + e.getMessage() + ">");
      }
      for (Map<String, String> e : errors) {
        lines.add("stderr: " + e.get("message"));
      }
      return lines;
    }

    synchronized ObjectNode toJson() {
      ObjectNode b = JSON.createObjectNode();
      ObjectNode livyInfo = b.putObject("livyInfo");
      Map<String, String> at =
          Map.of(
              "not_started", "notStartedAt",
              "starting", "startingAt",
              "running", "runningAt",
              "success", "successAt",
              "dead", "deadAt",
              "killed", "killedAt");
      stateTimes.forEach((s, t) -> livyInfo.put(at.getOrDefault(s, s + "At"), time(t)));
      livyInfo.put("currentState", state);
      ObjectNode request = options.deepCopy();
      request.remove("tags");
      request.remove("artifactId");
      livyInfo.set("jobCreationRequest", request);
      b.put("name", options.path("name").asText(null));
      b.put("workspaceName", "emulator");
      b.put("sparkPoolName", pool);
      b.put("submitterName", "emulator@kindling.dev");
      b.put("submitterId", "00000000-0000-0000-0000-000000000001");
      b.put(
          "artifactId",
          artifactId != null ? artifactId : options.path("artifactId").asText("Livy"));
      b.put("jobType", "SparkBatch");
      b.put("result", result);
      ObjectNode scheduler = b.putObject("schedulerInfo");
      scheduler.put("submittedAt", time(submittedAt));
      Instant started = stateTimes.get("starting");
      if (started != null) {
        scheduler.put("scheduledAt", time(started));
      }
      if (endedAt != null) {
        scheduler.put("endedAt", time(endedAt));
      }
      if (cancellationRequestedAt != null) {
        scheduler.put("cancellationRequestedAt", time(cancellationRequestedAt));
      }
      scheduler.put(
          "currentState", isTerminal() ? "Ended" : started != null ? "Scheduled" : "Queued");
      b.putNull("pluginInfo");
      ArrayNode errorInfo = b.putArray("errorInfo");
      errors.forEach(e -> errorInfo.add(JSON.valueToTree(e)));
      b.set(
          "tags",
          options.path("tags").isObject()
              ? options.path("tags").deepCopy()
              : JSON.createObjectNode());
      b.put("id", id);
      if (appId != null) {
        b.put("appId", appId);
        ObjectNode appInfo = b.putObject("appInfo");
        appInfo.put("driverLogUrl", baseUrl() + "/emulator/driverlog/" + pool + "/" + id);
        appInfo.put("sparkUiUrl", baseUrl() + "/emulator/sparkui/" + appId);
      } else {
        b.putNull("appId");
        b.putNull("appInfo");
      }
      b.put("state", state);
      ArrayNode log = b.putArray("log");
      List<String> lines = logLines();
      lines.subList(Math.max(0, lines.size() - LOG_FIELD_LINES), lines.size()).forEach(log::add);
      return b;
    }
  }
}
