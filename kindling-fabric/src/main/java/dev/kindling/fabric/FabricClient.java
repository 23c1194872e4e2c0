package dev.kindling.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.http.HttpErrors;
import dev.kindling.core.http.RetryAfter;
import dev.kindling.core.http.RetrySafe;
import dev.kindling.core.time.Scheduler;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The Fabric REST calls Kindling makes (platform-apis.md §2), hand-written on OkHttp and Jackson:
 * Spark Job Definition CRUD with long-running operations, job instances, cancel, Livy sessions and
 * the driver log. Idempotent POSTs (getDefinition, updateDefinition, cancel) are marked {@link
 * RetrySafe}; create and run are not retried (a resend could create a second item or run).
 */
final class FabricClient {
  static final String PLATFORM = "fabric";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final Duration DEFAULT_LRO_WAIT = Duration.ofSeconds(2);
  private static final Duration MAX_LRO_WAIT = Duration.ofSeconds(30);
  private static final Duration LRO_DEADLINE = Duration.ofMinutes(10);

  private final OkHttpClient http;
  private final HttpUrl base;
  private final String workspaceId;
  private final Scheduler scheduler;

  FabricClient(OkHttpClient http, HttpUrl base, String workspaceId, Scheduler scheduler) {
    this.http = http;
    this.base = base;
    this.workspaceId = workspaceId;
    this.scheduler = scheduler;
  }

  // ---------------------------------------------------------------- items

  /** Every Spark Job Definition of the workspace, following continuation tokens. */
  List<JsonNode> listSparkJobDefinitions() {
    List<JsonNode> all = new ArrayList<>();
    HttpUrl url = ws().addPathSegment("sparkJobDefinitions").build();
    while (url != null) {
      JsonNode page = json(send(get(url), "listing Spark Job Definitions"));
      page.path("value").forEach(all::add);
      String token = page.path("continuationToken").asText("");
      url =
          token.isEmpty()
              ? null
              : ws().addPathSegment("sparkJobDefinitions")
                  .addQueryParameter("continuationToken", token)
                  .build();
    }
    return all;
  }

  /** Creates an item; its JSON once created (201, or the LRO's result). */
  JsonNode createSparkJobDefinition(ObjectNode body) {
    Request req = post(ws().addPathSegment("sparkJobDefinitions").build(), body, false);
    try (Response r = call(req, "creating the Spark Job Definition")) {
      require(r, "creating the Spark Job Definition");
      if (r.code() == 202) {
        return awaitOperation(r, "creating the Spark Job Definition")
            .orElseThrow(
                () ->
                    new KindlingException(
                        "fabric: creating the Spark Job Definition finished without a result"));
      }
      return readJson(r, "creating the Spark Job Definition");
    }
  }

  /** Replaces the item's definition (all parts). */
  void updateDefinition(String itemId, ObjectNode definition) {
    ObjectNode body = JSON.createObjectNode();
    body.set("definition", definition);
    Request req = post(sjd(itemId).addPathSegment("updateDefinition").build(), body, true);
    try (Response r = call(req, "updating the definition of " + itemId)) {
      require(r, "updating the definition of " + itemId);
      if (r.code() == 202) {
        awaitOperation(r, "updating the definition of " + itemId);
      }
    }
  }

  /** The item's definition ({@code {parts: [...]}}). */
  JsonNode getDefinition(String itemId) {
    Request req = post(sjd(itemId).addPathSegment("getDefinition").build(), null, true);
    try (Response r = call(req, "reading the definition of " + itemId)) {
      require(r, "reading the definition of " + itemId);
      JsonNode out =
          r.code() == 202
              ? awaitOperation(r, "reading the definition of " + itemId)
                  .orElse(JSON.createObjectNode())
              : readJson(r, "reading the definition of " + itemId);
      return out.path("definition");
    }
  }

  /** Sets the item's description. */
  void updateDescription(String itemId, String description) {
    ObjectNode body = JSON.createObjectNode().put("description", description);
    Request req =
        new Request.Builder()
            .url(sjd(itemId).build())
            .patch(RequestBody.create(body.toString(), JSON_TYPE))
            .tag(RetrySafe.class, RetrySafe.INSTANCE)
            .build();
    try (Response r = call(req, "updating " + itemId)) {
      require(r, "updating " + itemId);
    }
  }

  /** Deletes the item; false if there was none. */
  boolean deleteSparkJobDefinition(String itemId) {
    Request req = new Request.Builder().url(sjd(itemId).build()).delete().build();
    try (Response r = call(req, "deleting " + itemId)) {
      if (r.code() == 404) {
        return false;
      }
      require(r, "deleting " + itemId);
      return true;
    }
  }

  // ---------------------------------------------------------------- jobs

  /** Starts a run; the job instance id from the {@code Location} header. */
  String run(String itemId, ObjectNode executionData) {
    ObjectNode body = JSON.createObjectNode();
    body.set("executionData", executionData);
    HttpUrl url =
        sjd(itemId)
            .addPathSegment("jobs")
            .addPathSegment("sparkjob")
            .addPathSegment("instances")
            .build();
    try (Response r = call(post(url, body, false), "starting a run of " + itemId)) {
      require(r, "starting a run of " + itemId);
      String location = r.header("Location");
      return instanceIdFrom(location)
          .orElseThrow(
              () ->
                  new KindlingException(
                      "fabric: the run of "
                          + itemId
                          + " was accepted but the answer has no job instance Location ("
                          + location
                          + ")"));
    }
  }

  /** Every job instance of the item Fabric still lists (recent ones and every active one). */
  List<JsonNode> jobInstances(String itemId) {
    List<JsonNode> all = new ArrayList<>();
    HttpUrl first =
        ws().addPathSegment("items")
            .addPathSegment(itemId)
            .addPathSegment("jobs")
            .addPathSegment("instances")
            .build();
    HttpUrl url = first;
    while (url != null) {
      JsonNode page = json(send(get(url), "listing the runs of " + itemId));
      page.path("value").forEach(all::add);
      String token = page.path("continuationToken").asText("");
      url =
          token.isEmpty()
              ? null
              : first.newBuilder().addQueryParameter("continuationToken", token).build();
    }
    return all;
  }

  /** The job instance id: the last path segment of the run's {@code Location}. */
  static Optional<String> instanceIdFrom(String location) {
    if (location == null || location.isBlank()) {
      return Optional.empty();
    }
    HttpUrl u = HttpUrl.parse(location);
    List<String> segments =
        u != null ? u.pathSegments() : List.of(location.replaceFirst("\\?.*$", "").split("/"));
    for (int i = segments.size() - 1; i >= 0; i--) {
      String s = segments.get(i);
      if (FabricSettings.GUID.matcher(s).matches()) {
        return Optional.of(s.toLowerCase(java.util.Locale.ROOT));
      }
      if (!s.isEmpty()) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * Every job instance of an item Fabric still lists (the 100 most recent completed ones and every
   * active one), following continuation tokens.
   */
  List<JsonNode> listJobInstances(String itemId) {
    return listAll(() -> instances(itemId), "listing the runs of " + itemId);
  }

  /**
   * Every {@code value} entry of a Fabric list call, following {@code continuationToken}s.
   *
   * @param base the list call's URL, fresh for each page
   */
  private List<JsonNode> listAll(
      java.util.function.Supplier<HttpUrl.Builder> base, String operation) {
    List<JsonNode> all = new ArrayList<>();
    forEachPage(
        base,
        operation,
        Integer.MAX_VALUE,
        page -> {
          all.addAll(page);
          return true;
        });
    return all;
  }

  /**
   * Reads the job instances of an item page by page, one request after another, handing each page's
   * entries to {@code page} until it returns false, the listing ends or {@code maxPages} pages were
   * read.
   *
   * @return the number of pages read
   */
  int jobInstancePages(
      String itemId, int maxPages, java.util.function.Predicate<List<JsonNode>> page) {
    return forEachPage(() -> instances(itemId), "listing the runs of " + itemId, maxPages, page);
  }

  /**
   * The pages of a Fabric list call, following {@code continuationToken}s: each page's {@code
   * value} entries go to {@code page} until it returns false, there is no further page or {@code
   * maxPages} were read.
   *
   * @param base the list call's URL, fresh for each page
   * @return the number of pages read
   */
  private int forEachPage(
      java.util.function.Supplier<HttpUrl.Builder> base,
      String operation,
      int maxPages,
      java.util.function.Predicate<List<JsonNode>> page) {
    HttpUrl url = base.get().build();
    int pages = 0;
    while (url != null && pages < maxPages) {
      JsonNode body = json(send(get(url), operation));
      pages++;
      List<JsonNode> values = new ArrayList<>();
      body.path("value").forEach(values::add);
      if (!page.test(values)) {
        break;
      }
      String token = body.path("continuationToken").asText("");
      url =
          token.isEmpty() ? null : base.get().addQueryParameter("continuationToken", token).build();
    }
    return pages;
  }

  /** The job instance, or empty if Fabric does not know it. */
  Optional<JsonNode> jobInstance(String itemId, String instanceId) {
    HttpUrl url = instance(itemId, instanceId).build();
    try (Response r = call(get(url), "reading run " + instanceId)) {
      if (r.code() == 404) {
        return Optional.empty();
      }
      require(r, "reading run " + instanceId);
      return Optional.of(readJson(r, "reading run " + instanceId));
    }
  }

  /** Requests cancellation: true when accepted, false when the run had already completed. */
  boolean cancel(String itemId, String instanceId) {
    Request req = post(instance(itemId, instanceId).addPathSegment("cancel").build(), null, true);
    try (Response r = call(req, "cancelling run " + instanceId)) {
      if (!r.isSuccessful()) {
        var e =
            HttpErrors.toException(
                r, "cancelling run " + instanceId, PLATFORM, FabricErrors.INSTANCE);
        if (e.errorCode().filter("JobAlreadyCompleted"::equals).isPresent()) {
          return false;
        }
        throw e;
      }
      return true;
    }
  }

  /**
   * The driver's stdout through the Spark monitoring API: the Livy session whose {@code
   * jobInstanceId} is the run, then its application's driver log. Empty when not (yet) available.
   */
  Optional<String> driverLog(String itemId, String instanceId) {
    HttpUrl url = sjd(itemId).addPathSegment("livySessions").build();
    while (url != null) {
      JsonNode page;
      try (Response r = call(get(url), "listing Livy sessions")) {
        if (!r.isSuccessful()) {
          return Optional.empty();
        }
        page = readJson(r, "listing Livy sessions");
      }
      for (JsonNode s : page.path("value")) {
        if (instanceId.equalsIgnoreCase(s.path("jobInstanceId").asText())) {
          String livyId = s.path("livyId").asText("");
          String appId = s.path("sparkApplicationId").asText("");
          if (livyId.isEmpty() || appId.isEmpty()) {
            return Optional.empty();
          }
          HttpUrl logUrl =
              sjd(itemId)
                  .addPathSegment("livySessions")
                  .addPathSegment(livyId)
                  .addPathSegment("applications")
                  .addPathSegment(appId)
                  .addPathSegment("logs")
                  .addQueryParameter("type", "driver")
                  .addQueryParameter("fileName", "stdout")
                  .addQueryParameter("isDownload", "true")
                  .build();
          try (Response r = call(get(logUrl), "reading the driver log")) {
            return r.isSuccessful() ? Optional.of(r.body().string()) : Optional.empty();
          } catch (IOException e) {
            return Optional.empty();
          }
        }
      }
      String token = page.path("continuationToken").asText("");
      url =
          token.isEmpty()
              ? null
              : sjd(itemId)
                  .addPathSegment("livySessions")
                  .addQueryParameter("continuationToken", token)
                  .build();
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- schedules

  /** The item's {@code sparkjob} schedules, following continuation tokens. */
  List<JsonNode> listSchedules(String itemId) {
    return listAll(() -> schedules(itemId), "listing the schedules of " + itemId);
  }

  /** Creates a schedule (201); the {@code ItemSchedule}. Not retried (a resend adds another). */
  JsonNode createSchedule(String itemId, ObjectNode body) {
    String op = "creating a schedule for " + itemId;
    try (Response r = call(post(schedules(itemId).build(), body, false), op)) {
      require(r, op);
      return readJson(r, op);
    }
  }

  /** Replaces a schedule's configuration and enabled flag; the {@code ItemSchedule}. */
  JsonNode updateSchedule(String itemId, String scheduleId, ObjectNode body) {
    String op = "updating schedule " + scheduleId + " of " + itemId;
    Request req =
        new Request.Builder()
            .url(schedules(itemId).addPathSegment(scheduleId).build())
            .patch(RequestBody.create(body.toString(), JSON_TYPE))
            .tag(RetrySafe.class, RetrySafe.INSTANCE)
            .build();
    try (Response r = call(req, op)) {
      require(r, op);
      return readJson(r, op);
    }
  }

  /** Deletes a schedule; false if there was none. */
  boolean deleteSchedule(String itemId, String scheduleId) {
    String op = "deleting schedule " + scheduleId + " of " + itemId;
    Request req =
        new Request.Builder()
            .url(schedules(itemId).addPathSegment(scheduleId).build())
            .delete()
            .tag(RetrySafe.class, RetrySafe.INSTANCE)
            .build();
    try (Response r = call(req, op)) {
      if (r.code() == 404) {
        return false;
      }
      require(r, op);
      return true;
    }
  }

  private HttpUrl.Builder schedules(String itemId) {
    return ws().addPathSegment("items")
        .addPathSegment(itemId)
        .addPathSegment("jobs")
        .addPathSegment(FabricSchedules.JOB_TYPE)
        .addPathSegment("schedules");
  }

  // ---------------------------------------------------------------- LRO

  /**
   * Follows a 202 long-running operation: waits {@code Retry-After} (capped), polls the {@code
   * Location} verbatim until {@code Succeeded} or {@code Failed}, then reads the result ({@code
   * Location} of the final state, else {@code …/result}); empty when the operation has none.
   */
  Optional<JsonNode> awaitOperation(Response accepted, String operation) {
    String location = accepted.header("Location");
    String opId = accepted.header("x-ms-operation-id");
    if (location == null || location.isBlank()) {
      if (opId == null) {
        throw new KindlingException(
            "fabric: " + operation + " was accepted (202) without a Location to follow");
      }
      location =
          base.newBuilder().addPathSegment("operations").addPathSegment(opId).build().toString();
    }
    Instant deadline = scheduler.now().plus(LRO_DEADLINE);
    Duration wait = retryAfter(accepted);
    String stateUrl = location;
    while (true) {
      sleep(wait);
      if (scheduler.now().isAfter(deadline)) {
        throw new TimedOutException(
            "fabric: "
                + operation
                + " did not finish within "
                + LRO_DEADLINE.toMinutes()
                + " minutes");
      }
      try (Response r = call(get(HttpUrl.get(stateUrl)), operation + " (operation state)")) {
        require(r, operation + " (operation state)");
        JsonNode state = readJson(r, operation);
        String status = state.path("status").asText("");
        switch (status) {
          case "Succeeded" -> {
            String resultUrl = r.header("Location");
            if (resultUrl == null || resultUrl.equals(stateUrl)) {
              resultUrl = stripQuery(stateUrl) + "/result";
            }
            return result(resultUrl, operation);
          }
          case "Failed" -> {
            JsonNode err = state.path("error");
            throw new KindlingException(
                "fabric: "
                    + operation
                    + " failed: "
                    + err.path("errorCode").asText("UnknownError")
                    + ": "
                    + err.path("message").asText("no details")
                    + ". Check the definition and the workspace's capacity, then try again.",
                null,
                PLATFORM,
                200,
                err.path("errorCode").asText(null),
                err.path("requestId").asText(null));
          }
          default -> {
            String next = r.header("Location");
            if (next != null && !next.isBlank()) {
              stateUrl = next;
            }
            wait = retryAfter(r);
          }
        }
      }
    }
  }

  private Optional<JsonNode> result(String url, String operation) {
    try (Response r = call(get(HttpUrl.get(url)), operation + " (operation result)")) {
      if (r.code() == 404) {
        return Optional.empty();
      }
      require(r, operation + " (operation result)");
      String text = r.body().string();
      return text.isBlank() ? Optional.empty() : Optional.of(JSON.readTree(text));
    } catch (IOException e) {
      throw new KindlingException(
          "fabric: " + operation + ": unreadable result: " + e.getMessage(), e);
    }
  }

  private Duration retryAfter(Response r) {
    Optional<Duration> d = RetryAfter.parse(r.header("Retry-After"), scheduler.now());
    Duration wait = d.orElse(DEFAULT_LRO_WAIT);
    return wait.compareTo(MAX_LRO_WAIT) > 0 ? MAX_LRO_WAIT : wait;
  }

  private void sleep(Duration d) {
    try {
      scheduler.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KindlingException("fabric: interrupted while waiting for an operation", e);
    }
  }

  // ---------------------------------------------------------------- plumbing

  private HttpUrl.Builder ws() {
    return base.newBuilder().addPathSegment("workspaces").addPathSegment(workspaceId);
  }

  private HttpUrl.Builder sjd(String itemId) {
    return ws().addPathSegment("sparkJobDefinitions").addPathSegment(itemId);
  }

  private HttpUrl.Builder instances(String itemId) {
    return ws().addPathSegment("items")
        .addPathSegment(itemId)
        .addPathSegment("jobs")
        .addPathSegment("instances");
  }

  private HttpUrl.Builder instance(String itemId, String instanceId) {
    return ws().addPathSegment("items")
        .addPathSegment(itemId)
        .addPathSegment("jobs")
        .addPathSegment("instances")
        .addPathSegment(instanceId);
  }

  private static Request get(HttpUrl url) {
    return new Request.Builder().url(url).get().build();
  }

  private static Request post(HttpUrl url, JsonNode body, boolean retrySafe) {
    Request.Builder b =
        new Request.Builder()
            .url(url)
            .post(
                body == null
                    ? RequestBody.create(new byte[0], null)
                    : RequestBody.create(body.toString(), JSON_TYPE));
    if (retrySafe) {
      b.tag(RetrySafe.class, RetrySafe.INSTANCE);
    }
    return b.build();
  }

  private Response send(Request req, String operation) {
    Response r = call(req, operation);
    try {
      require(r, operation);
      return r;
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
  }

  private Response call(Request req, String operation) {
    try {
      return http.newCall(req).execute();
    } catch (IOException e) {
      throw HttpErrors.fromFailure(e, operation, PLATFORM);
    }
  }

  private static void require(Response r, String operation) {
    HttpErrors.requireSuccess(r, operation, PLATFORM, FabricErrors.INSTANCE);
  }

  private static JsonNode json(Response r) {
    try (r) {
      return readJson(r, "reading the answer");
    }
  }

  private static JsonNode readJson(Response r, String operation) {
    try {
      String text = r.body().string();
      return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (IOException e) {
      throw new KindlingException(
          "fabric: " + operation + ": unreadable answer: " + e.getMessage(), e);
    }
  }

  private static String stripQuery(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }
}
