package dev.kindling.synapse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.http.HttpErrors;
import dev.kindling.core.http.RetryAfter;
import dev.kindling.core.time.Scheduler;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two Synapse data-plane APIs Kindling uses, over OkHttp and Jackson: the artifacts API (Spark
 * job definitions, {@code ?api-version=2020-12-01}, long-running PUT/DELETE) and the Livy batch API
 * ({@code /livyApi/versions/<v>/sparkPools/<pool>/batches}, version in the path). Bearer tokens,
 * retries of idempotent calls and redacted logging come from the {@link OkHttpClient} it is given
 * ({@link dev.kindling.core.http.HttpClients}).
 */
final class SynapseClient {
  /** The artifacts API version. */
  static final String ARTIFACTS_API_VERSION = "2020-12-01";

  private static final Logger log = LoggerFactory.getLogger(SynapseClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
  private static final String PLATFORM = "synapse";
  private static final Duration DEFAULT_LRO_WAIT = Duration.ofSeconds(1);
  private static final int SUBMIT_ATTEMPTS = 6;

  private final OkHttpClient http;
  private final HttpUrl workspace;
  private final String livyApiVersion;
  private final Scheduler scheduler;
  private final Duration lroTimeout;

  SynapseClient(
      OkHttpClient http,
      URI workspaceUrl,
      String livyApiVersion,
      Scheduler scheduler,
      Duration lroTimeout) {
    this.http = Objects.requireNonNull(http, "http");
    this.workspace = Objects.requireNonNull(HttpUrl.get(workspaceUrl.toString()), "workspace url");
    this.livyApiVersion = Objects.requireNonNull(livyApiVersion, "livyApiVersion");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.lroTimeout = Objects.requireNonNull(lroTimeout, "lroTimeout");
  }

  // ---------------------------------------------------------------------------------------------
  // Artifacts API: Spark job definitions

  /** Creates or replaces the definition {@code name}, following the long-running operation. */
  JsonNode putJobDefinition(String name, ObjectNode resource) {
    Request request =
        new Request.Builder()
            .url(artifacts("sparkJobDefinitions", name))
            .put(RequestBody.create(bytes(resource), JSON_TYPE))
            .build();
    String op = "saving Spark job definition '" + name + "'";
    try (Response r = call(request, op)) {
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      if (r.code() == 202) {
        return awaitOperation(r, op).orElseGet(() -> getJobDefinition(name).orElse(resource));
      }
      return readJson(r, op).orElse(resource);
    }
  }

  /** The definition {@code name}, or empty when there is none. */
  Optional<JsonNode> getJobDefinition(String name) {
    Request request = new Request.Builder().url(artifacts("sparkJobDefinitions", name)).build();
    String op = "reading Spark job definition '" + name + "'";
    try (Response r = call(request, op)) {
      if (r.code() == 404) {
        return Optional.empty();
      }
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      return readJson(r, op);
    }
  }

  /**
   * Deletes the definition {@code name}; false when there was none (404, or 204 No Content, the ARM
   * convention for deleting what does not exist).
   */
  boolean deleteJobDefinition(String name) {
    Request request =
        new Request.Builder().url(artifacts("sparkJobDefinitions", name)).delete().build();
    String op = "deleting Spark job definition '" + name + "'";
    try (Response r = call(request, op)) {
      if (r.code() == 404 || r.code() == 204) {
        return false;
      }
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      if (r.code() == 202) {
        awaitOperation(r, op);
      }
      return true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Artifacts API: pipelines and triggers (schedules)

  /** Creates or replaces the artifact {@code kind/name} ({@code pipelines}, {@code triggers}). */
  JsonNode putArtifact(String kind, String name, ObjectNode resource) {
    Request request =
        new Request.Builder()
            .url(artifacts(kind, name))
            .put(RequestBody.create(bytes(resource), JSON_TYPE))
            .build();
    String op = "saving " + kind + " '" + name + "'";
    try (Response r = call(request, op)) {
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      if (r.code() == 202) {
        return awaitOperation(r, op).orElseGet(() -> getArtifact(kind, name).orElse(resource));
      }
      return readJson(r, op).orElse(resource);
    }
  }

  /** The artifact {@code kind/name}, or empty when there is none. */
  Optional<JsonNode> getArtifact(String kind, String name) {
    Request request = new Request.Builder().url(artifacts(kind, name)).build();
    String op = "reading " + kind + " '" + name + "'";
    try (Response r = call(request, op)) {
      if (r.code() == 404) {
        return Optional.empty();
      }
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      return readJson(r, op);
    }
  }

  /** Deletes the artifact {@code kind/name}; false when there was none. */
  boolean deleteArtifact(String kind, String name) {
    Request request = new Request.Builder().url(artifacts(kind, name)).delete().build();
    String op = "deleting " + kind + " '" + name + "'";
    try (Response r = call(request, op)) {
      if (r.code() == 404 || r.code() == 204) {
        return false;
      }
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      if (r.code() == 202) {
        awaitOperation(r, op);
      }
      return true;
    }
  }

  /** Starts or stops ({@code action}) the trigger {@code name}, following the operation. */
  void triggerAction(String name, String action) {
    Request request =
        new Request.Builder()
            .url(artifacts("triggers", name, action))
            .post(RequestBody.create(new byte[0], null))
            .build();
    String op = (action.equals("start") ? "starting" : "stopping") + " trigger '" + name + "'";
    try (Response r = call(request, op)) {
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      if (r.code() == 202) {
        awaitOperation(r, op);
      }
    }
  }

  /** Every Spark job definition of the workspace, following {@code nextLink}. */
  List<JsonNode> listJobDefinitions() {
    List<JsonNode> all = new ArrayList<>();
    HttpUrl next = artifacts("sparkJobDefinitions");
    String op = "listing Spark job definitions";
    while (next != null) {
      try (Response r = call(new Request.Builder().url(next).build(), op)) {
        HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
        JsonNode page = readJson(r, op).orElse(JSON.createObjectNode());
        page.path("value").forEach(all::add);
        String link = page.path("nextLink").asText("");
        next = link.isEmpty() ? null : sameHost(link);
      }
    }
    return all;
  }

  // ---------------------------------------------------------------------------------------------
  // Livy batches

  /**
   * Submits a batch. Not retried on failures after which the batch may exist (a second submit would
   * start a second run); a 429 means it was refused, so that is waited out and retried.
   */
  JsonNode submitBatch(String pool, ObjectNode options) {
    String op = "submitting a Spark batch to pool '" + pool + "'";
    HttpUrl url =
        livy(pool).addPathSegment("batches").addQueryParameter("detailed", "true").build();
    for (int attempt = 1; ; attempt++) {
      Request request =
          new Request.Builder()
              .url(url)
              .post(RequestBody.create(bytes(options), JSON_TYPE))
              .build();
      try (Response r = call(request, op)) {
        HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
        return readJson(r, op)
            .filter(b -> b.hasNonNull("id"))
            .orElseThrow(
                () ->
                    new KindlingException(
                        "synapse: " + op + " answered HTTP " + r.code() + " without a batch id"));
      } catch (ThrottledException e) {
        if (attempt >= SUBMIT_ATTEMPTS) {
          throw e;
        }
        Duration wait = e.retryAfter().orElse(Duration.ofSeconds(attempt));
        log.debug("{} throttled; retrying in {}", op, wait);
        sleep(wait, op);
      }
    }
  }

  /** One page of the pool's batches: {@code {from, total, sessions: [SparkBatchJob]}}. */
  JsonNode listBatches(String pool, int from, int size) {
    HttpUrl url =
        livy(pool)
            .addPathSegment("batches")
            .addQueryParameter("from", Integer.toString(from))
            .addQueryParameter("size", Integer.toString(size))
            .addQueryParameter("detailed", "true")
            .build();
    String op = "listing the Spark batches of pool '" + pool + "'";
    try (Response r = call(new Request.Builder().url(url).build(), op)) {
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      return readJson(r, op).orElse(JSON.createObjectNode());
    }
  }

  /** The batch, or empty when the pool has no batch {@code id}. */
  Optional<JsonNode> getBatch(String pool, int id) {
    HttpUrl url =
        livy(pool)
            .addPathSegment("batches")
            .addPathSegment(Integer.toString(id))
            .addQueryParameter("detailed", "true")
            .build();
    String op = "reading Spark batch " + id + " of pool '" + pool + "'";
    try (Response r = call(new Request.Builder().url(url).build(), op)) {
      if (r.code() == 404) {
        return Optional.empty();
      }
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      return readJson(r, op);
    }
  }

  /** Cancels the batch; false when the pool no longer knows it. */
  boolean cancelBatch(String pool, int id) {
    HttpUrl url = livy(pool).addPathSegment("batches").addPathSegment(Integer.toString(id)).build();
    String op = "cancelling Spark batch " + id + " of pool '" + pool + "'";
    try (Response r = call(new Request.Builder().url(url).delete().build(), op)) {
      if (r.code() == 404) {
        return false;
      }
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      return true;
    }
  }

  /** One page of the batch's Livy log: {@code {id, from, total, log: [lines]}}. */
  JsonNode batchLog(String pool, int id, int from, int size) {
    HttpUrl url =
        livy(pool)
            .addPathSegment("batches")
            .addPathSegment(Integer.toString(id))
            .addPathSegment("log")
            .addQueryParameter("from", Integer.toString(from))
            .addQueryParameter("size", Integer.toString(size))
            .build();
    String op = "reading the log of Spark batch " + id + " of pool '" + pool + "'";
    try (Response r = call(new Request.Builder().url(url).build(), op)) {
      HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
      return readJson(r, op).orElse(JSON.createObjectNode());
    }
  }

  /**
   * The pool's batches whose Livy {@code tags} hold {@code key=value}, newest last. Reads the
   * listing from its newest page backwards, at most {@code maxPages} pages of 20.
   */
  List<JsonNode> batchesTagged(String pool, String key, String value, int maxPages) {
    String op = "listing the Spark batches of pool '" + pool + "'";
    List<JsonNode> found = new ArrayList<>();
    int total = -1;
    int from = -1;
    for (int page = 0; page < maxPages; page++) {
      HttpUrl.Builder u = livy(pool).addPathSegment("batches").addQueryParameter("size", "20");
      if (from >= 0) {
        u.addQueryParameter("from", Integer.toString(from));
      }
      try (Response r = call(new Request.Builder().url(u.build()).build(), op)) {
        HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
        JsonNode body = readJson(r, op).orElse(JSON.createObjectNode());
        if (total < 0) {
          total = body.path("total").asInt(0);
          if (total > 20) {
            from = Math.max(0, total - 20); // the newest page first
            continue;
          }
        }
        for (JsonNode b : body.path("sessions")) {
          if (value.equals(b.path("tags").path(key).asText(null))) {
            found.add(b);
          }
        }
      }
      if (from <= 0) {
        break;
      }
      from = Math.max(0, from - 20);
    }
    return found;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Polls a 202's {@code Location} until the operation is done (200/201/204), waiting {@code
   * Retry-After} (or a second) between polls. Returns the final body, if any.
   */
  private Optional<JsonNode> awaitOperation(Response accepted, String op) {
    String location = accepted.header("Location");
    if (location == null || location.isBlank()) {
      location = accepted.header("Azure-AsyncOperation");
    }
    if (location == null || location.isBlank()) {
      return Optional.empty(); // accepted without a way to follow: treat as done
    }
    HttpUrl url = sameHost(location);
    Instant deadline = scheduler.now().plus(lroTimeout);
    Duration wait = retryAfter(accepted).orElse(DEFAULT_LRO_WAIT);
    while (true) {
      if (scheduler.now().plus(wait).isAfter(deadline)) {
        throw new TimedOutException(
            "synapse: " + op + " did not complete within " + lroTimeout.toSeconds() + " s");
      }
      sleep(wait, op);
      try (Response r = call(new Request.Builder().url(url).build(), op)) {
        HttpErrors.requireSuccess(r, op, PLATFORM, SynapseErrors.INSTANCE);
        if (r.code() != 202) {
          Optional<JsonNode> body = readJson(r, op);
          JsonNode error = body.map(b -> b.path("error")).orElse(null);
          if (error != null && error.isObject()) {
            throw new KindlingException(
                "synapse: "
                    + op
                    + " failed ("
                    + error.path("code").asText("")
                    + "): "
                    + error.path("message").asText(""));
          }
          return body;
        }
        wait = retryAfter(r).orElse(DEFAULT_LRO_WAIT);
      }
    }
  }

  private Response call(Request request, String op) {
    try {
      return http.newCall(request).execute();
    } catch (IOException e) {
      throw HttpErrors.fromFailure(e, op, PLATFORM);
    }
  }

  private void sleep(Duration d, String op) {
    try {
      scheduler.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KindlingException("interrupted while " + op, e);
    }
  }

  private Optional<Duration> retryAfter(Response r) {
    return RetryAfter.parse(r.header("Retry-After"), scheduler.now());
  }

  private HttpUrl artifacts(String... segments) {
    HttpUrl.Builder b = workspace.newBuilder();
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.addQueryParameter("api-version", ARTIFACTS_API_VERSION).build();
  }

  private HttpUrl.Builder livy(String pool) {
    return workspace
        .newBuilder()
        .addPathSegment("livyApi")
        .addPathSegment("versions")
        .addPathSegment(livyApiVersion)
        .addPathSegment("sparkPools")
        .addPathSegment(pool);
  }

  /** A link the service returned; only followed on the workspace's own host (tokens go there). */
  private HttpUrl sameHost(String link) {
    HttpUrl url = workspace.resolve(link);
    if (url == null
        || !url.host().equalsIgnoreCase(workspace.host())
        || url.port() != workspace.port()
        || !url.scheme().equals(workspace.scheme())) {
      throw new KindlingException(
          "synapse: the workspace answered with a link to another host ("
              + (url == null ? link : url.host())
              + "); not following it with the workspace's token");
    }
    return url;
  }

  private static Optional<JsonNode> readJson(Response r, String op) {
    ResponseBody body = r.body();
    try {
      String text = body == null ? "" : body.string();
      if (text.isBlank()) {
        return Optional.empty();
      }
      return Optional.of(JSON.readTree(text));
    } catch (IOException e) {
      throw new KindlingException(
          "synapse: " + op + ": could not read the answer: " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
