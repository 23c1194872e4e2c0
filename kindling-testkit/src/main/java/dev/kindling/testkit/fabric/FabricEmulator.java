package dev.kindling.testkit.fabric;

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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microsoft Fabric on a loopback port: the Spark Job Definition, job scheduler, long-running
 * operation and Livy-log endpoints of {@code platform-apis.md} §2 with the behaviours of the §7
 * checklist, plus OneLake ({@link DfsEmulator}) on the same port, as the Fabric and OneLake hosts
 * of a target pointing here.
 *
 * <ul>
 *   <li>Every {@code /v1} request is checked against the Fabric REST spec ({@link FabricSpec}); a
 *       mismatch is answered 400 {@code InvalidRequest} with the reason and recorded in {@link
 *       #specViolations()}, so tests can fail on it.
 *   <li>Create, getDefinition and updateDefinition answer synchronously or as 202 long-running
 *       operations ({@link #longRunningOperations(boolean)}), polled at {@code /v1/operations/{id}}
 *       with the result at {@code …/result}.
 *   <li>A run answers 202 with {@code Location} and {@code Retry-After}, no body; its instance goes
 *       NotStarted → InProgress → Completed/Failed/Cancelled with zone-less 7-digit UTC times,
 *       {@code failureReason} on failure, and {@code JobAlreadyCompleted} on a late cancel.
 *   <li>Runs execute for real: the definition's (or the run's) executable file is run by an {@link
 *       EmulatedDriver} whose {@code mssparkutils} maps {@code
 *       abfss://<workspace>@onelake.dfs.fabric.microsoft.com} onto the emulated OneLake; its output
 *       is the driver log served by the Livy log API. A Java definition's {@code mainClass} runs
 *       from the executable jar and {@code additionalLibraryUris} on Spark in local mode.
 *   <li>Lists page with {@code continuationToken}/{@code continuationUri}; errors are {@code
 *       ErrorResponse} bodies with {@code x-ms-public-api-error-code}.
 * </ul>
 */
public final class FabricEmulator implements Emulator {
  /** The OneLake host used in abfss URLs. */
  public static final String ONELAKE_HOST = "onelake.dfs.fabric.microsoft.com";

  private static final Logger log = LoggerFactory.getLogger(FabricEmulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter FABRIC_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS").withZone(ZoneOffset.UTC);
  private static final Set<String> TERMINAL = Set.of("Completed", "Failed", "Cancelled", "Deduped");
  private static final Set<String> V1_KEYS =
      Set.of(
          "executableFile",
          "defaultLakehouseArtifactId",
          "mainClass",
          "additionalLakehouseIds",
          "retryPolicy",
          "commandLineArguments",
          "additionalLibraryUris",
          "language",
          "environmentArtifactId");

  private final EmulatorOptions options;
  private final EmulatorServer server;
  private final DfsEmulator dfs;
  private final String workspaceId = UUID.randomUUID().toString();
  private final String lakehouseId = UUID.randomUUID().toString();
  private final String storageToken;
  private final Map<String, Item> items = new ConcurrentHashMap<>();
  private final Map<String, Instance> instances = new ConcurrentHashMap<>();
  private final Map<String, Operation> operations = new ConcurrentHashMap<>();
  private final List<String> specViolations = new CopyOnWriteArrayList<>();
  private final Map<String, Map<String, ObjectNode>> schedules = new ConcurrentHashMap<>();
  private volatile boolean lro;
  private volatile int retryAfterSeconds = 1;
  private volatile int pageSize = 100;
  private volatile int completedListed = 100;
  private volatile int operationPolls = 1;

  private static final class Item {
    final String id;
    volatile String displayName;
    volatile String description;
    volatile ArrayNode parts;

    Item(String id, String displayName, String description, ArrayNode parts) {
      this.id = id;
      this.displayName = displayName;
      this.description = description;
      this.parts = parts;
    }
  }

  private static final java.util.concurrent.atomic.AtomicLong SEQ =
      new java.util.concurrent.atomic.AtomicLong();

  private static final class Instance {
    final String id;
    final String itemId;
    final String livyId = UUID.randomUUID().toString();
    final String appId;
    final Instant created;
    final long seq = SEQ.incrementAndGet(); // creation order, for ties of equal times
    volatile String status = "NotStarted";
    volatile Instant start;
    volatile Instant end;
    volatile String failure;
    volatile EmulatedDriver driver;
    volatile Path runDir;
    final java.util.concurrent.CompletableFuture<String> ended =
        new java.util.concurrent.CompletableFuture<>();

    Instance(String id, String itemId, Instant created, String appId) {
      this.id = id;
      this.itemId = itemId;
      this.created = created;
      this.appId = appId;
    }
  }

  private static final class Operation {
    final JsonNode result;
    int pollsLeft;

    Operation(JsonNode result, int polls) {
      this.result = result;
      this.pollsLeft = polls;
    }
  }

  private FabricEmulator(EmulatorOptions options) {
    this.options = options;
    this.storageToken = options.token() + "-storage";
    this.server = new EmulatorServer("fabric", options.port());
    this.dfs = DfsEmulator.in(options.dataDir(), storageToken);
    try {
      Files.createDirectories(dfs.filesystem(workspaceId).resolve(lakehouseId).resolve("Files"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    routes();
    dfs.register(server, "v1");
  }

  private volatile TokenIssuer issuer;

  /**
   * Issues expiring tokens ({@link TokenIssuer#PATH}) for the Fabric API and OneLake, and accepts
   * them besides the static tokens.
   */
  public FabricEmulator tokenIssuer(TokenIssuer issuer) {
    this.issuer = issuer;
    issuer.register(server);
    dfs.tokenIssuer(issuer);
    return this;
  }

  /**
   * Every stored Spark Job Definition as text: name, description and each part with its Base64
   * payload decoded (what a secret scan must read).
   */
  public List<String> storedDefinitions() {
    List<String> out = new ArrayList<>();
    for (Item i : items.values()) {
      StringBuilder sb = new StringBuilder(i.displayName).append('\n').append(i.description);
      ArrayNode parts = i.parts;
      if (parts != null) {
        for (JsonNode part : parts) {
          sb.append('\n').append(part.path("path").asText()).append(": ");
          try {
            sb.append(
                new String(
                    Base64.getDecoder().decode(part.path("payload").asText()),
                    StandardCharsets.UTF_8));
          } catch (IllegalArgumentException notBase64) {
            sb.append(part.path("payload").asText());
          }
        }
      }
      out.add(sb.toString());
    }
    return out;
  }

  /** Starts an emulator. */
  public static FabricEmulator start(EmulatorOptions options) {
    return new FabricEmulator(options);
  }

  /** Starts an emulator on any free port, keeping its data in {@code dataDir}. */
  public static FabricEmulator start(Path dataDir) {
    return start(EmulatorOptions.in(dataDir));
  }

  // ---------------------------------------------------------------- knobs

  /** Whether create/getDefinition/updateDefinition answer as 202 LROs (default: synchronous). */
  public FabricEmulator longRunningOperations(boolean on) {
    lro = on;
    return this;
  }

  /** The {@code Retry-After} seconds sent on runs, cancels and LROs (default 1). */
  public FabricEmulator retryAfterSeconds(int seconds) {
    retryAfterSeconds = seconds;
    return this;
  }

  /**
   * How many completed job instances of an item its list of instances keeps, the most recent ones
   * (default 100, as Fabric documents); active ones are always listed. A completed instance beyond
   * them is still answered by its own GET.
   */
  public FabricEmulator completedInstancesListed(int n) {
    completedListed = n;
    return this;
  }

  /** How many items one list page holds (default 100). */
  public FabricEmulator pageSize(int n) {
    pageSize = n;
    dfs.pageSize(Math.max(n, 1));
    return this;
  }

  /** How many polls of an LRO answer {@code Running} before {@code Succeeded} (default 1). */
  public FabricEmulator operationPolls(int n) {
    operationPolls = n;
    return this;
  }

  /** Every request that did not match the Fabric spec, with the reason. Empty when all did. */
  public List<String> specViolations() {
    return List.copyOf(specViolations);
  }

  public String workspaceId() {
    return workspaceId;
  }

  public String lakehouseId() {
    return lakehouseId;
  }

  /** The emulated OneLake. */
  public DfsEmulator oneLake() {
    return dfs;
  }

  /** The token the Fabric API accepts. */
  public String apiToken() {
    return options.token();
  }

  /** The token OneLake accepts (a different audience). */
  public String storageToken() {
    return storageToken;
  }

  @Override
  public String id() {
    return "fabric";
  }

  @Override
  public EmulatorServer server() {
    return server;
  }

  @Override
  public Map<String, Object> target() {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("platform", "fabric");
    t.put("workspace_id", workspaceId);
    t.put("lakehouse_id", lakehouseId);
    t.put("api_url", server.baseUrl() + "/v1");
    t.put("onelake_url", server.baseUrl().toString());
    t.put("poll_interval", "0.2");
    Map<String, Object> auth = new LinkedHashMap<>();
    auth.put("method", "token");
    auth.put("token", options.token());
    auth.put("storage_token", storageToken);
    t.put("auth", auth);
    return t;
  }

  @Override
  public void close() {
    for (Instance i : instances.values()) {
      EmulatedDriver d = i.driver;
      if (d != null && d.isAlive()) {
        d.kill();
      }
    }
    server.close();
  }

  // ---------------------------------------------------------------- routes

  private static final String WS = "/v1/workspaces/([^/]+)";
  private static final String SJD = WS + "/sparkJobDefinitions/([^/]+)";
  private static final String ITEM = WS + "/items/([^/]+)";

  private void routes() {
    api("GET", WS + "/sparkJobDefinitions", this::listItems);
    api("POST", WS + "/sparkJobDefinitions", this::createItem);
    api(
        "GET",
        SJD,
        (r, b) -> item(r).map(i -> ok(itemJson(i))).orElseGet(FabricEmulator::notFound));
    api("PATCH", SJD, this::patchItem);
    api("DELETE", SJD, this::deleteItem);
    api("DELETE", ITEM, this::deleteItem);
    api("POST", SJD + "/getDefinition", this::getDefinition);
    api("POST", SJD + "/updateDefinition", this::updateDefinition);
    api("POST", SJD + "/jobs/([^/]+)/instances", this::run);
    api("POST", ITEM + "/jobs/([^/]+)/instances", this::run);
    api("POST", ITEM + "/jobs/instances", this::run); // legacy ?jobType=
    api("GET", ITEM + "/jobs/instances", this::listInstances);
    api("GET", ITEM + "/jobs/instances/([^/]+)", this::getInstance);
    api("POST", ITEM + "/jobs/instances/([^/]+)/cancel", this::cancel);
    api("GET", "/v1/operations/([^/]+)", this::operationState);
    api("GET", "/v1/operations/([^/]+)/result", this::operationResult);
    api("GET", SJD + "/livySessions", this::livySessions);
    api("GET", ITEM + "/jobs/([^/]+)/schedules", this::listSchedules);
    api("POST", ITEM + "/jobs/([^/]+)/schedules", this::createSchedule);
    api("GET", ITEM + "/jobs/([^/]+)/schedules/([^/]+)", this::getSchedule);
    api("PATCH", ITEM + "/jobs/([^/]+)/schedules/([^/]+)", this::updateSchedule);
    api("DELETE", ITEM + "/jobs/([^/]+)/schedules/([^/]+)", this::deleteSchedule);
    for (String m : new String[] {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
      // anything else under /v1: a spec violation if the spec lacks it, else not emulated
      api(
          m,
          "/v1/(?!workspaces/[^/]+/sparkJobDefinitions/[^/]+/livySessions/).*",
          (r, b) ->
              error(404, "EntityNotFound", "The Fabric emulator does not emulate " + r.path()));
    }
    // the Spark monitoring (driver log) API has no OpenAPI document: not spec-checked
    server.route(
        "GET",
        SJD + "/livySessions/([^/]+)/applications/([^/]+)(?:/[^/]+)?/logs",
        r -> authorized(r).orElseGet(() -> driverLog(r)));
  }

  private interface ApiHandler {
    Response handle(Request r, JsonNode body) throws Exception;
  }

  private void api(String method, String regex, ApiHandler handler) {
    server.route(
        method,
        regex,
        r -> {
          Optional<Response> denied = authorized(r);
          if (denied.isPresent()) {
            return denied.get();
          }
          byte[] raw = r.bytes();
          JsonNode body = null;
          if (raw.length > 0) {
            try {
              body = JSON.readTree(raw);
            } catch (IOException e) {
              return error(400, "InvalidRequest", "The request body is not valid JSON.");
            }
          }
          if (body != null
              && !r.header("Content-Type").orElse("").toLowerCase(Locale.ROOT).contains("json")) {
            return violation(r, "a JSON body needs Content-Type: application/json");
          }
          String specPath = r.path();
          if (method.equals("POST") && specPath.matches(".*/items/[^/]+/jobs/instances")) {
            // the legacy form ?jobType= is still accepted (spec note); check it as the new one
            specPath =
                specPath.replaceFirst(
                    "/jobs/instances$", "/jobs/" + r.param("jobType").orElse("") + "/instances");
          }
          Optional<String> problem = FabricSpec.get().check(method, specPath, r.query(), body);
          if (problem.isPresent()) {
            return violation(r, problem.get());
          }
          if (!r.groups().isEmpty()
              && r.path().startsWith("/v1/workspaces/")
              && !r.group(1).equals(workspaceId)) {
            return error(
                404,
                "WorkspaceNotFound",
                "The requested workspace " + r.group(1) + " was not found.");
          }
          return handler.handle(r, body);
        });
  }

  private Response violation(Request r, String problem) {
    String text = r.method() + " " + r.path() + ": " + problem;
    specViolations.add(text);
    log.warn("fabric emulator: spec violation: {}", text);
    return error(400, "InvalidRequest", "Spec violation: " + problem);
  }

  private Optional<Response> authorized(Request r) {
    Optional<String> bearer = r.bearer();
    if (bearer.isEmpty()) {
      return Optional.of(
          error(401, "Unauthorized", "An Authorization: Bearer header is required."));
    }
    if (bearer.get().equals(storageToken)) {
      return Optional.of(
          error(
              401,
              "InvalidToken",
              "The token's audience is storage.azure.com; the Fabric API needs a token for"
                  + " https://api.fabric.microsoft.com."));
    }
    TokenIssuer i = issuer;
    if (i != null && i.check(bearer.get(), TokenIssuer.API) == TokenIssuer.Verdict.VALID) {
      return Optional.empty();
    }
    if (!bearer.get().equals(options.token())) {
      return Optional.of(error(401, "TokenExpired", "Access token has expired or is not valid."));
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- items

  private Optional<Item> item(Request r) {
    return Optional.ofNullable(items.get(r.group(2).toLowerCase(Locale.ROOT)));
  }

  private Response listItems(Request r, JsonNode body) {
    List<Item> all =
        items.values().stream().sorted(java.util.Comparator.comparing((Item i) -> i.id)).toList();
    return page(r, all.stream().map(this::itemJson).toList());
  }

  private Response page(Request r, List<? extends JsonNode> all) {
    int from = 0;
    Optional<String> token = r.param("continuationToken");
    if (token.isPresent()) {
      try {
        from =
            Integer.parseInt(
                new String(Base64.getUrlDecoder().decode(token.get()), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        return error(400, "InvalidContinuationToken", "The continuation token is not valid.");
      }
    }
    int to = Math.min(all.size(), from + pageSize);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode value = out.putArray("value");
    all.subList(Math.min(from, all.size()), to).forEach(value::add);
    if (to < all.size()) {
      String next =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8));
      out.put("continuationToken", next);
      out.put("continuationUri", server.baseUrl() + r.path() + "?continuationToken=" + next);
    }
    return ok(out);
  }

  private synchronized Response createItem(Request r, JsonNode body) {
    String name = body.path("displayName").asText();
    if (name.isBlank() || name.length() > 256) {
      return error(400, "InvalidDisplayName", "The display name is not valid: '" + name + "'.");
    }
    boolean taken = items.values().stream().anyMatch(i -> i.displayName.equalsIgnoreCase(name));
    if (taken) {
      return error(
          400,
          "ItemDisplayNameAlreadyInUse",
          "Requested '" + name + "' is already in use by another item in this workspace.");
    }
    if (body.path("description").asText("").length() > 256) {
      return error(400, "InvalidRequest", "The description is longer than 256 characters.");
    }
    ArrayNode parts = JSON.createArrayNode();
    if (body.has("definition")) {
      Optional<String> bad = checkDefinition(body.get("definition"));
      if (bad.isPresent()) {
        return error(400, "CorruptedPayload", bad.get());
      }
      parts = (ArrayNode) body.get("definition").get("parts").deepCopy();
    }
    String id = UUID.randomUUID().toString();
    Item item = new Item(id, name, body.path("description").asText(""), parts);
    items.put(id, item);
    return lro ? accepted(itemJson(item)) : Response.json(201, itemJson(item));
  }

  private Response patchItem(Request r, JsonNode body) {
    Optional<Item> item = item(r);
    if (item.isEmpty()) {
      return notFound();
    }
    if (body != null && body.has("displayName")) {
      item.get().displayName = body.get("displayName").asText();
    }
    if (body != null && body.has("description")) {
      if (body.get("description").asText().length() > 256) {
        return error(400, "InvalidRequest", "The description is longer than 256 characters.");
      }
      item.get().description = body.get("description").asText();
    }
    return ok(itemJson(item.get()));
  }

  private Response deleteItem(Request r, JsonNode body) {
    schedules.remove(r.group(2).toLowerCase(Locale.ROOT));
    return items.remove(r.group(2).toLowerCase(Locale.ROOT)) != null
        ? Response.empty(200)
        : notFound();
  }

  private Response getDefinition(Request r, JsonNode body) {
    Optional<Item> item = item(r);
    if (item.isEmpty()) {
      return notFound();
    }
    ObjectNode out = JSON.createObjectNode();
    out.putObject("definition").set("parts", item.get().parts.deepCopy());
    return lro ? accepted(out) : ok(out);
  }

  private Response updateDefinition(Request r, JsonNode body) {
    Optional<Item> item = item(r);
    if (item.isEmpty()) {
      return notFound();
    }
    Optional<String> bad = checkDefinition(body.get("definition"));
    if (bad.isPresent()) {
      return error(400, "CorruptedPayload", bad.get());
    }
    item.get().parts = (ArrayNode) body.get("definition").get("parts").deepCopy();
    return lro ? accepted(null) : Response.empty(200);
  }

  /** The SparkJobDefinitionV1.json part must be there, Base64 JSON with the documented fields. */
  private static Optional<String> checkDefinition(JsonNode definition) {
    JsonNode v1 = null;
    for (JsonNode part : definition.path("parts")) {
      if (!"InlineBase64".equals(part.path("payloadType").asText())) {
        return Optional.of(
            "part " + part.path("path").asText() + ": payloadType must be InlineBase64");
      }
      if ("SparkJobDefinitionV1.json".equals(part.path("path").asText())) {
        try {
          v1 = JSON.readTree(Base64.getDecoder().decode(part.path("payload").asText()));
        } catch (IOException | IllegalArgumentException e) {
          return Optional.of("SparkJobDefinitionV1.json is not Base64 of JSON: " + e.getMessage());
        }
      }
    }
    if (v1 == null) {
      return Optional.of("the definition has no SparkJobDefinitionV1.json part");
    }
    for (var it = v1.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!V1_KEYS.contains(f)) {
        return Optional.of("SparkJobDefinitionV1.json has an unknown field " + f);
      }
    }
    if (!v1.path("commandLineArguments").isMissingNode()
        && !v1.path("commandLineArguments").isTextual()) {
      return Optional.of("commandLineArguments must be one space-separated string");
    }
    return Optional.empty();
  }

  private ObjectNode itemJson(Item i) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", i.id);
    n.put("type", "SparkJobDefinition");
    n.put("displayName", i.displayName);
    n.put("description", i.description);
    n.put("workspaceId", workspaceId);
    n.putObject("properties")
        .put("oneLakeRootPath", "https://" + ONELAKE_HOST + "/" + workspaceId + "/" + i.id);
    return n;
  }

  // ---------------------------------------------------------------- LROs

  private Response accepted(JsonNode result) {
    String id = UUID.randomUUID().toString();
    operations.put(id, new Operation(result, operationPolls));
    return Response.empty(202)
        .header("Location", server.baseUrl() + "/v1/operations/" + id)
        .header("x-ms-operation-id", id)
        .header("Retry-After", Integer.toString(retryAfterSeconds));
  }

  private Response operationState(Request r, JsonNode body) {
    String id = r.group(1);
    Operation op = operations.get(id);
    if (op == null) {
      return error(404, "OperationNotFound", "The operation " + id + " was not found.");
    }
    ObjectNode state = JSON.createObjectNode();
    String now = FABRIC_TIME.format(Instant.now()) + "Z";
    state.put("createdTimeUtc", now);
    state.put("lastUpdatedTimeUtc", now);
    synchronized (op) {
      if (op.pollsLeft > 0) {
        op.pollsLeft--;
        state.put("status", "Running");
        state.put("percentComplete", 50);
        return ok(state)
            .header("Location", server.baseUrl() + "/v1/operations/" + id)
            .header("x-ms-operation-id", id)
            .header("Retry-After", Integer.toString(retryAfterSeconds));
      }
    }
    state.put("status", "Succeeded");
    state.put("percentComplete", 100);
    Response resp = ok(state).header("x-ms-operation-id", id);
    if (op.result != null) {
      resp.header("Location", server.baseUrl() + "/v1/operations/" + id + "/result");
    }
    return resp;
  }

  private Response operationResult(Request r, JsonNode body) {
    Operation op = operations.get(r.group(1));
    if (op == null || op.pollsLeft > 0) {
      return error(404, "OperationNotFound", "The operation has no result (yet).");
    }
    return op.result == null ? Response.empty(200) : ok(op.result);
  }

  // ---------------------------------------------------------------- jobs

  private Response run(Request r, JsonNode body) throws IOException {
    String jobType = r.groups().size() > 2 ? r.group(3) : r.param("jobType").orElse("");
    if (!jobType.equalsIgnoreCase("sparkjob")) {
      return error(
          400, "InvalidJobType", "The job type '" + jobType + "' is not valid for this item.");
    }
    Optional<Item> item = item(r);
    if (item.isEmpty()) {
      return notFound();
    }
    if (body != null && body.has("parameters")) {
      return error(
          400,
          "FeatureNotAvailable",
          "Parameter is not allowed for this item type or this item job type.");
    }
    Instance inst =
        startInstance(
            item.get(),
            body == null ? JSON.createObjectNode() : body.path("executionData"),
            UUID.randomUUID().toString());
    return instanceAccepted(inst);
  }

  /** Starts a job instance of the item's definition, overridden by {@code exec} (executionData). */
  private Instance startInstance(Item item, JsonNode exec, String id) {
    JsonNode v1 = v1(item);
    String executable = text(exec, "executableFile").orElse(text(v1, "executableFile").orElse(""));
    String args =
        text(exec, "commandLineArguments").orElse(text(v1, "commandLineArguments").orElse(""));
    String lakehouse =
        exec.path("defaultLakehouseId")
            .path("itemId")
            .asText(v1.path("defaultLakehouseArtifactId").asText(""));

    Instant now = Instant.now();
    Instance inst = new Instance(id, item.id, now, "application_" + now.toEpochMilli() + "_0001");
    instances.put(id, inst);
    String language = text(exec, "language").orElse(v1.path("language").asText(""));
    boolean jvm =
        language.equalsIgnoreCase("Java")
            || language.equalsIgnoreCase("Scala")
            || executable.endsWith(".jar");
    if (!lakehouse.equals(lakehouseId)) {
      finish(inst, "Failed", "The default lakehouse '" + lakehouse + "' was not found.");
    } else if (jvm) {
      String mainClass = text(exec, "mainClass").orElse(v1.path("mainClass").asText(""));
      JsonNode libs =
          exec.has("additionalLibraryUris")
              ? exec.path("additionalLibraryUris")
              : v1.path("additionalLibraryUris");
      List<String> jars = new ArrayList<>();
      jars.add(executable);
      libs.forEach(l -> jars.add(l.asText()));
      launchJvm(inst, jars, mainClass, args);
    } else {
      launch(inst, executable, args);
    }
    return inst;
  }

  private void launch(Instance inst, String executable, String args) {
    String root = "abfss://" + workspaceId + "@" + ONELAKE_HOST;
    if (!executable.startsWith(root + "/")) {
      finish(
          inst,
          "Failed",
          "The executable file '" + executable + "' is not in this workspace's OneLake.");
      return;
    }
    Path main = dfs.file(workspaceId, executable.substring(root.length() + 1));
    if (!Files.isRegularFile(main)) {
      finish(inst, "Failed", "The executable file '" + executable + "' was not found.");
      return;
    }
    List<String> argv = new ArrayList<>();
    for (String a : args.trim().split("\\s+")) {
      if (!a.isEmpty()) {
        argv.add(a);
      }
    }
    Path runDir = options.dataDir().resolve("runs").resolve(inst.id);
    inst.runDir = runDir;
    EmulatedDriver driver =
        EmulatedDriver.start(
            options.python(),
            EmulatedDriver.Utils.MSSPARKUTILS,
            root,
            dfs.filesystem(workspaceId),
            main,
            argv,
            runDir);
    inst.driver = driver;
    inst.start = Instant.now();
    inst.status = "InProgress";
    driver
        .onExit()
        .whenComplete(
            (code, failure) -> {
              if (code != null && code == 0) {
                finish(inst, "Completed", null);
              } else {
                finish(
                    inst,
                    "Failed",
                    "Spark job failed: the driver exited with code " + (code == null ? "?" : code));
              }
            });
  }

  /** A Java/Scala definition: the main class of the jars on Spark in local mode. */
  private void launchJvm(Instance inst, List<String> jarUris, String mainClass, String args) {
    String root = "abfss://" + workspaceId + "@" + ONELAKE_HOST;
    if (mainClass.isBlank()) {
      finish(inst, "Failed", "A Java Spark Job Definition needs a mainClass.");
      return;
    }
    Optional<Path> spark = EmulatedDriver.sparkClasspath();
    if (spark.isEmpty()) {
      finish(inst, "Failed", EmulatedDriver.noSparkMessage());
      return;
    }
    List<Path> jars = new ArrayList<>();
    for (String uri : jarUris) {
      Path jar =
          uri.startsWith(root + "/")
              ? dfs.file(workspaceId, uri.substring(root.length() + 1))
              : null;
      if (jar == null || !Files.isRegularFile(jar)) {
        finish(inst, "Failed", "The file '" + uri + "' was not found in this workspace's OneLake.");
        return;
      }
      jars.add(jar);
    }
    List<String> argv = new ArrayList<>();
    for (String a : args.trim().split("\\s+")) {
      if (!a.isEmpty()) {
        argv.add(a);
      }
    }
    Path runDir = options.dataDir().resolve("runs").resolve(inst.id);
    inst.runDir = runDir;
    EmulatedDriver driver = EmulatedDriver.startJvm(spark.get(), jars, mainClass, argv, runDir);
    inst.driver = driver;
    inst.start = Instant.now();
    inst.status = "InProgress";
    driver
        .onExit()
        .whenComplete(
            (code, failure) -> {
              if (code != null && code == 0) {
                finish(inst, "Completed", null);
              } else {
                finish(
                    inst,
                    "Failed",
                    "Spark job failed: the driver exited with code " + (code == null ? "?" : code));
              }
            });
  }

  private synchronized void finish(Instance inst, String status, String failure) {
    if (TERMINAL.contains(inst.status)) {
      return;
    }
    if (inst.start == null) {
      inst.start = Instant.now();
    }
    inst.end = Instant.now();
    inst.failure = failure;
    inst.status = status;
    inst.ended.complete(status);
  }

  private Optional<Instance> instance(Request r) {
    Instance i = instances.get(r.group(3).toLowerCase(Locale.ROOT));
    return i != null && i.itemId.equalsIgnoreCase(r.group(2)) ? Optional.of(i) : Optional.empty();
  }

  private Response getInstance(Request r, JsonNode body) {
    return instance(r)
        .map(i -> ok(instanceJson(i)).header("Retry-After", Integer.toString(retryAfterSeconds)))
        .orElseGet(
            () ->
                error(404, "ItemJobInstanceNotFound", "The requested job instance was not found."));
  }

  /**
   * The item's job instances, oldest first: every active one and only the {@link
   * #completedInstancesListed(int) most recent completed ones} (platform-apis.md §2.6).
   */
  private Response listInstances(Request r, JsonNode body) {
    if (item(r).isEmpty()) {
      return notFound();
    }
    List<Instance> ofItem =
        instances.values().stream().filter(i -> i.itemId.equalsIgnoreCase(r.group(2))).toList();
    Set<Instance> forgotten =
        new java.util.HashSet<>(
            ofItem.stream()
                .filter(i -> TERMINAL.contains(i.status))
                .sorted(
                    java.util.Comparator.comparing(
                            (Instance i) -> i.end == null ? i.created : i.end)
                        .thenComparingLong(i -> i.seq)
                        .reversed())
                .skip(completedListed)
                .toList());
    return page(
        r,
        ofItem.stream()
            .filter(i -> !forgotten.contains(i))
            .sorted(java.util.Comparator.comparing((Instance i) -> i.created))
            .map(this::instanceJson)
            .toList());
  }

  private Response cancel(Request r, JsonNode body) {
    Optional<Instance> found = instance(r);
    if (found.isEmpty()) {
      return error(404, "ItemJobInstanceNotFound", "The requested job instance was not found.");
    }
    Instance inst = found.get();
    synchronized (this) {
      if (TERMINAL.contains(inst.status)) {
        return error(
            400,
            "JobAlreadyCompleted",
            "cancellation can not be processed as job instance run has completed");
      }
    }
    EmulatedDriver d = inst.driver;
    finish(inst, "Cancelled", null);
    if (d != null && d.isAlive()) {
      d.kill();
    }
    return instanceAccepted(inst);
  }

  /** 202 Accepted pointing at the instance, as a job start or cancel answers. */
  private Response instanceAccepted(Instance inst) {
    return Response.empty(202)
        .header(
            "Location",
            server.baseUrl()
                + "/v1/workspaces/"
                + workspaceId
                + "/items/"
                + inst.itemId
                + "/jobs/instances/"
                + inst.id)
        .header("Retry-After", Integer.toString(retryAfterSeconds));
  }

  private ObjectNode instanceJson(Instance i) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", i.id);
    n.put("itemId", i.itemId);
    n.put("jobType", "SparkJob");
    n.put("invokeType", firings.containsKey(i.id) ? "Scheduled" : "Manual");
    n.put("status", i.status);
    n.put(
        "rootActivityId", UUID.nameUUIDFromBytes(i.id.getBytes(StandardCharsets.UTF_8)).toString());
    if (i.start != null) {
      n.put("startTimeUtc", FABRIC_TIME.format(i.start));
    } else {
      n.putNull("startTimeUtc");
    }
    if (i.end != null && TERMINAL.contains(i.status)) {
      n.put("endTimeUtc", FABRIC_TIME.format(i.end));
    } else {
      n.putNull("endTimeUtc");
    }
    if (i.failure != null && i.status.equals("Failed")) {
      ObjectNode f = n.putObject("failureReason");
      f.put("errorCode", "JobInstanceStatusFailed");
      f.put("message", i.failure);
      f.put("requestId", UUID.randomUUID().toString());
    } else {
      n.putNull("failureReason");
    }
    return n;
  }

  // ---------------------------------------------------------------- livy

  private Response livySessions(Request r, JsonNode body) {
    if (item(r).isEmpty()) {
      return notFound();
    }
    return page(
        r,
        instances.values().stream()
            .filter(i -> i.itemId.equalsIgnoreCase(r.group(2)) && i.driver != null)
            .sorted(java.util.Comparator.comparing((Instance i) -> i.created))
            .map(this::livyJson)
            .toList());
  }

  private ObjectNode livyJson(Instance i) {
    ObjectNode n = JSON.createObjectNode();
    n.put("livyId", i.livyId);
    n.put("jobInstanceId", i.id);
    n.put("sparkApplicationId", i.appId);
    n.put(
        "state",
        switch (i.status) {
          case "Completed" -> "Succeeded";
          case "NotStarted", "InProgress", "Failed", "Cancelled" -> i.status;
          default -> "Unknown";
        });
    n.put("jobType", "SparkBatch");
    n.put("itemType", "SparkJobDefinition");
    n.put("operationName", "Batch Livy Run");
    n.put("origin", "SubmittedJob");
    n.put("submittedDateTime", FABRIC_TIME.format(i.created).substring(0, 19) + "Z");
    return n;
  }

  private Response driverLog(Request r) {
    String livyId = r.group(3);
    String appId = r.group(4);
    Optional<Instance> inst =
        instances.values().stream()
            .filter(i -> i.livyId.equals(livyId) && i.appId.equals(appId))
            .findFirst();
    if (inst.isEmpty() || inst.get().driver == null) {
      return error(
          404, "SparkCoreSessionNotFound", "The Livy session or application was not found.");
    }
    if (!"driver".equals(r.param("type").orElse(""))
        || !"stdout".equals(r.param("fileName").orElse(""))) {
      return error(400, "InvalidRequest", "Only type=driver&fileName=stdout is emulated.");
    }
    return Response.bytes(
        200, inst.get().driver.output().getBytes(StandardCharsets.UTF_8), "text/plain");
  }

  // ---------------------------------------------------------------- helpers

  private static JsonNode v1(Item item) {
    for (JsonNode part : item.parts) {
      if ("SparkJobDefinitionV1.json".equals(part.path("path").asText())) {
        try {
          return JSON.readTree(Base64.getDecoder().decode(part.path("payload").asText()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return JSON.createObjectNode();
  }

  // ---------------------------------------------------------------- schedules

  /** How many schedules one item may have before {@code ScheduleExceedsLimit}. */
  public static final int SCHEDULE_LIMIT = 20;

  private static final Set<String> WEEKDAYS =
      Set.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");

  /** The schedules of an item ({@code ItemSchedule} JSON), oldest first; for tests. */
  public List<JsonNode> schedules(String itemId) {
    return List.copyOf(schedules.getOrDefault(itemId.toLowerCase(Locale.ROOT), Map.of()).values());
  }

  private Optional<Response> scheduleTarget(Request r) {
    if (item(r).isEmpty()) {
      return Optional.of(notFound());
    }
    if (!r.group(3).equalsIgnoreCase("sparkjob")) {
      return Optional.of(
          error(
              400,
              "InvalidJobType",
              "The job type '" + r.group(3) + "' is not valid for this item."));
    }
    return Optional.empty();
  }

  private Response listSchedules(Request r, JsonNode body) {
    return scheduleTarget(r)
        .orElseGet(
            () ->
                page(r, List.copyOf(schedules.getOrDefault(item(r).get().id, Map.of()).values())));
  }

  private synchronized Response createSchedule(Request r, JsonNode body) {
    Optional<Response> bad = scheduleTarget(r).or(() -> checkSchedule(body));
    if (bad.isPresent()) {
      return bad.get();
    }
    Map<String, ObjectNode> mine =
        schedules.computeIfAbsent(
            item(r).get().id, k -> java.util.Collections.synchronizedMap(new LinkedHashMap<>()));
    if (mine.size() >= SCHEDULE_LIMIT) {
      return error(
          400,
          "ScheduleExceedsLimit",
          "The number of created schedules for the item exceeds the limit of "
              + SCHEDULE_LIMIT
              + ".");
    }
    String id = UUID.randomUUID().toString();
    ObjectNode s = JSON.createObjectNode();
    s.put("id", id);
    s.put("enabled", body.path("enabled").asBoolean());
    s.put("createdDateTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    s.set("configuration", body.get("configuration").deepCopy());
    ObjectNode owner = s.putObject("owner");
    owner.put("id", "00000000-0000-0000-0000-000000000001");
    owner.put("type", "User");
    mine.put(id, s);
    return Response.json(201, s)
        .header("Location", server.baseUrl() + r.path() + "/" + id)
        .header("RequestId", UUID.randomUUID().toString());
  }

  private Optional<ObjectNode> schedule(Request r) {
    return Optional.ofNullable(
        schedules
            .getOrDefault(item(r).get().id, Map.of())
            .get(r.group(4).toLowerCase(Locale.ROOT)));
  }

  private static Response scheduleNotFound() {
    return error(404, "EntityNotFound", "The requested schedule was not found.");
  }

  private Response getSchedule(Request r, JsonNode body) {
    return scheduleTarget(r)
        .orElseGet(() -> schedule(r).map(s -> ok(s)).orElseGet(FabricEmulator::scheduleNotFound));
  }

  private synchronized Response updateSchedule(Request r, JsonNode body) {
    Optional<Response> bad = scheduleTarget(r).or(() -> checkSchedule(body));
    if (bad.isPresent()) {
      return bad.get();
    }
    Optional<ObjectNode> s = schedule(r);
    if (s.isEmpty()) {
      return scheduleNotFound();
    }
    s.get().put("enabled", body.path("enabled").asBoolean());
    s.get().set("configuration", body.get("configuration").deepCopy());
    return ok(s.get());
  }

  private synchronized Response deleteSchedule(Request r, JsonNode body) {
    Optional<Response> bad = scheduleTarget(r);
    if (bad.isPresent()) {
      return bad.get();
    }
    Map<String, ObjectNode> mine = schedules.getOrDefault(item(r).get().id, Map.of());
    return mine.remove(r.group(4).toLowerCase(Locale.ROOT)) != null
        ? Response.empty(200)
        : scheduleNotFound();
  }

  /** A job instance a schedule started: which schedule, and the time it fired for. */
  public record Firing(String instanceId, String itemId, String scheduleId, Instant at) {}

  private final Map<String, Firing> firings = new ConcurrentHashMap<>();

  /**
   * Fires the schedules for the time window {@code (from, to]} the test chooses, as Fabric's job
   * scheduler would have over it: one job instance ({@code invokeType: Scheduled}) per firing of
   * each enabled schedule of each item ({@code Cron} every {@code interval} minutes from {@code
   * startDateTime}; {@code Daily}/{@code Weekly}/{@code Monthly} {@code times} as wall-clock times
   * in {@code localTimeZoneId}, a Windows id of {@link
   * dev.kindling.testkit.emulator.WindowsZoneIds}), never outside {@code startDateTime}..{@code
   * endDateTime}. Each instance runs the item's definition at that moment as a run without a body
   * would (the definition's own arguments), in the order of the firings.
   *
   * @return the started job instance ids, in firing order
   */
  public List<String> fireSchedules(Instant from, Instant to) {
    record Due(Item item, String scheduleId, Instant at) {}
    List<Due> due = new ArrayList<>();
    synchronized (this) {
      for (Map.Entry<String, Map<String, ObjectNode>> e :
          new java.util.TreeMap<>(schedules).entrySet()) {
        Item item = items.get(e.getKey());
        if (item == null) {
          continue;
        }
        for (ObjectNode s : List.copyOf(e.getValue().values())) {
          if (s.path("enabled").asBoolean()) {
            for (Instant at : FabricScheduleFirings.between(s.path("configuration"), from, to)) {
              due.add(new Due(item, s.path("id").asText(), at));
            }
          }
        }
      }
    }
    due.sort(java.util.Comparator.comparing(Due::at));
    List<String> started = new ArrayList<>();
    for (Due d : due) {
      String id = UUID.randomUUID().toString();
      firings.put(id, new Firing(id, d.item().id, d.scheduleId(), d.at()));
      startInstance(d.item(), JSON.createObjectNode(), id);
      started.add(id);
    }
    return started;
  }

  /**
   * Completes with a job instance's final status ({@code Completed}, {@code Failed}, {@code
   * Cancelled}) when it ends; fails at once for an unknown id. For tests that wait on runs the
   * emulator started by itself.
   */
  public java.util.concurrent.CompletableFuture<String> instanceEnds(String instanceId) {
    Instance inst = instances.get(instanceId.toLowerCase(Locale.ROOT));
    return inst == null
        ? java.util.concurrent.CompletableFuture.failedFuture(
            new IllegalArgumentException("no job instance " + instanceId))
        : inst.ended.copy();
  }

  /** Every job instance a schedule started ({@link #fireSchedules}), in firing order. */
  public List<Firing> firings() {
    return firings.values().stream()
        .sorted(java.util.Comparator.comparing(Firing::at).thenComparing(Firing::instanceId))
        .toList();
  }

  /** The service's own checks of a create/update body, beyond the schema. */
  private static Optional<Response> checkSchedule(JsonNode body) {
    if (body == null
        || !body.path("enabled").isBoolean()
        || !body.path("configuration").isObject()) {
      return Optional.of(
          error(400, "InvalidRequest", "The request needs `enabled` and `configuration`."));
    }
    JsonNode c = body.get("configuration");
    List<String> problems = new ArrayList<>();
    Instant start = null;
    Instant end = null;
    for (String f : List.of("startDateTime", "endDateTime", "localTimeZoneId")) {
      if (!c.path(f).isTextual() || c.path(f).asText().isBlank()) {
        problems.add("`" + f + "` is required");
      }
    }
    try {
      start = Instant.parse(c.path("startDateTime").asText());
      end = Instant.parse(c.path("endDateTime").asText());
    } catch (java.time.format.DateTimeParseException e) {
      problems.add("start and end must be UTC date-times (YYYY-MM-DDTHH:mm:ssZ)");
    }
    if (start != null && end != null && !end.isAfter(start)) {
      problems.add("the end time must be later than the start time");
    }
    String zone = c.path("localTimeZoneId").asText("");
    if (zone.contains("/")) {
      problems.add("`localTimeZoneId` '" + zone + "' is not a Windows time zone id");
    }
    String type = c.path("type").asText("");
    switch (type) {
      case "Cron" -> {
        long interval = c.path("interval").asLong(0);
        if (!c.path("interval").canConvertToLong() || interval < 1 || interval > 5_270_400) {
          problems.add("`interval` must be 1..5270400 minutes");
        }
      }
      case "Daily", "Weekly", "Monthly" -> {
        JsonNode times = c.path("times");
        if (!times.isArray() || times.isEmpty() || times.size() > 100) {
          problems.add("`times` must have 1 to 100 time slots");
        } else {
          for (JsonNode t : times) {
            if (!t.asText().matches("([01][0-9]|2[0-3]):[0-5][0-9]")) {
              problems.add("time slot '" + t.asText() + "' is not hh:mm");
            }
          }
        }
        if (type.equals("Weekly")) {
          JsonNode days = c.path("weekdays");
          if (!days.isArray() || days.isEmpty() || days.size() > 7) {
            problems.add("`weekdays` must have 1 to 7 days");
          } else {
            days.forEach(
                d -> {
                  if (!WEEKDAYS.contains(d.asText())) {
                    problems.add("'" + d.asText() + "' is not a weekday");
                  }
                });
          }
        }
        if (type.equals("Monthly")) {
          int every = c.path("recurrence").asInt(0);
          if (every < 1 || every > 12) {
            problems.add("`recurrence` must be 1..12");
          }
          JsonNode occ = c.path("occurrence");
          switch (occ.path("occurrenceType").asText("")) {
            case "DayOfMonth" -> {
              int d = occ.path("dayOfMonth").asInt(0);
              if (d < 1 || d > 31) {
                problems.add("`dayOfMonth` must be 1..31");
              }
            }
            case "OrdinalWeekday" -> {
              if (!Set.of("First", "Second", "Third", "Fourth", "Fifth")
                      .contains(occ.path("weekIndex").asText())
                  || !WEEKDAYS.contains(occ.path("weekday").asText())) {
                problems.add("`occurrence` needs a weekIndex and a weekday");
              }
            }
            default ->
                problems.add("`occurrence.occurrenceType` must be DayOfMonth or OrdinalWeekday");
          }
        }
      }
      default -> problems.add("`type` must be Cron, Daily, Weekly or Monthly, not '" + type + "'");
    }
    return problems.isEmpty()
        ? Optional.empty()
        : Optional.of(error(400, "InvalidParameter", String.join("; ", problems) + "."));
  }

  private static Optional<String> text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
  }

  private static Response ok(JsonNode body) {
    return Response.json(200, body).header("RequestId", UUID.randomUUID().toString());
  }

  private static Response notFound() {
    return error(404, "ItemNotFound", "The requested item was not found.");
  }

  /** A Fabric {@code ErrorResponse} with {@code x-ms-public-api-error-code}. */
  static Response error(int status, String code, String message) {
    String requestId = UUID.randomUUID().toString();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("requestId", requestId);
    body.put("errorCode", code);
    body.put("message", message);
    body.put("isRetriable", status == 429 || status >= 500);
    return Response.json(status, body)
        .header("x-ms-public-api-error-code", code)
        .header("RequestId", requestId);
  }
}
