package dev.kindling.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.error.KindlingException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The one parser of the shim's {@code result.json} (docs/internals/release-and-shim.md). Tolerant:
 * every field may be missing or {@code null} (older shims, the local JVM runner, hand-written
 * files); only text that is not a JSON object is an error.
 */
public final class RunResults {
  /** The most output lines a {@link RunResult} keeps. */
  public static final int MAX_TAIL_LINES = 200;

  /** The most characters of one output line a {@link RunResult} keeps. */
  public static final int MAX_LINE_CHARS = 4000;

  /** The largest value (as compact JSON, UTF-8) an app may return; the shim enforces it too. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private RunResults() {}

  /**
   * The result of {@code status}'s run from its {@code result.json} text, if the run wrote one.
   *
   * @throws KindlingException naming the run when {@code resultJson} is not a JSON object
   */
  public static RunResult parse(JobStatus status, Optional<String> resultJson) {
    if (resultJson.isEmpty() || resultJson.get().isBlank()) {
      return new RunResult(
          status.runId(),
          status.state(),
          false,
          status.state().name(),
          OptionalInt.empty(),
          status.error(),
          Optional.empty(),
          List.of(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          status.startTime(),
          status.endTime());
    }
    JsonNode r = read(status.runId(), resultJson.get());
    JsonNode code = r.path("exit_code");
    Optional<String> error = text(r, "error").or(status::error);
    Optional<JsonNode> value =
        r.has("result") && !r.get("result").isNull()
            ? Optional.of(r.get("result"))
            : Optional.empty();
    Optional<String> valueError = text(r, "result_error");
    if (value.isPresent()) {
      int size = value.get().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (size > MAX_VALUE_BYTES) {
        valueError =
            Optional.of(
                "the value is "
                    + size
                    + " bytes, over the "
                    + MAX_VALUE_BYTES / 1024
                    + " KiB limit; it was dropped");
        value = Optional.empty();
      }
    }
    return new RunResult(
        status.runId(),
        status.state(),
        true,
        text(r, "state").orElse(status.state().name()),
        code.isIntegralNumber() ? OptionalInt.of(code.asInt()) : OptionalInt.empty(),
        error,
        text(r, "traceback"),
        outputTail(r),
        value,
        valueError,
        text(r, "app"),
        text(r, "release"),
        time(r, "start").or(status::startTime),
        time(r, "end").or(status::endTime));
  }

  /** The {@code error} a result.json names, if any; empty for text that is not a result. */
  public static Optional<String> error(String resultJson) {
    try {
      JsonNode r = JSON.readTree(resultJson);
      return r == null || !r.isObject() ? Optional.empty() : text(r, "error");
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /**
   * The last {@code maxLines} lines of a result.json's {@code output_tail}, one per line; empty for
   * text that is not a result.
   */
  public static String outputTail(String resultJson, int maxLines) {
    try {
      JsonNode r = JSON.readTree(resultJson);
      if (r == null || !r.isObject()) {
        return "";
      }
      List<String> lines = outputTail(r);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
    } catch (JsonProcessingException e) {
      return "";
    }
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  private static JsonNode read(String runId, String json) {
    JsonNode r;
    try {
      r = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new KindlingException(
          "the result.json of run "
              + runId
              + " is not valid JSON ("
              + e.getOriginalMessage()
              + "); it was written by the bootstrap shim or the app's runner - see the run's logs",
          e);
    }
    if (r == null || !r.isObject()) {
      throw new KindlingException(
          "the result.json of run "
              + runId
              + " is not a JSON object; it was written by the bootstrap shim or the app's runner"
              + " - see the run's logs");
    }
    return r;
  }

  private static List<String> outputTail(JsonNode r) {
    JsonNode tail = r.path("output_tail");
    List<String> lines = new ArrayList<>();
    if (tail.isArray()) {
      tail.forEach(
          l -> lines.add(abbreviate(l.isTextual() ? l.asText() : l.toString(), MAX_LINE_CHARS)));
    } else if (tail.isTextual()) {
      for (String l : tail.asText().split("\n", -1)) {
        lines.add(abbreviate(l, MAX_LINE_CHARS));
      }
    }
    return lines.subList(Math.max(0, lines.size() - MAX_TAIL_LINES), lines.size());
  }

  private static Optional<String> text(JsonNode r, String field) {
    JsonNode n = r.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return Optional.empty();
    }
    String s = n.isTextual() ? n.asText() : n.toString();
    return s.isBlank() ? Optional.empty() : Optional.of(s);
  }

  private static Optional<Instant> time(JsonNode r, String field) {
    Optional<String> s = text(r, field);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(s.get()).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
