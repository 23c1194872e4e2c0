package dev.kindling.core.http;

import dev.kindling.core.error.AuthException;
import dev.kindling.core.error.ConflictException;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.error.TransientException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Headers;
import okhttp3.Response;

/**
 * Turns a failed HTTP call into the {@link KindlingException} hierarchy, by status:
 *
 * <table>
 *   <caption>Status to exception</caption>
 *   <tr><th>status</th><th>exception</th></tr>
 *   <tr><td>401, 403</td><td>{@link AuthException}</td></tr>
 *   <tr><td>404</td><td>{@link NotFoundException}</td></tr>
 *   <tr><td>409</td><td>{@link ConflictException}</td></tr>
 *   <tr><td>429</td><td>{@link ThrottledException}, with the {@code Retry-After} wait</td></tr>
 *   <tr><td>5xx</td><td>{@link TransientException}</td></tr>
 *   <tr><td>400 and other statuses</td><td>{@link KindlingException}</td></tr>
 * </table>
 *
 * <p>The message names the operation, the platform, the status, the platform's error code, message
 * and request id, and what to do next. It never contains request headers, so never a token.
 * Platform quirks (Databricks answering 400 for a missing run) are for the platform module to
 * handle before or instead of calling this.
 */
public final class HttpErrors {
  /** The most of an error body read. */
  static final int MAX_BODY_CHARS = 64 * 1024;

  private static final int MAX_FALLBACK_MESSAGE = 300;
  private static final List<String> REQUEST_ID_HEADERS =
      List.of("x-ms-request-id", "x-request-id", "request-id", "requestid");

  private HttpErrors() {}

  /**
   * Throws the mapped exception if {@code response} is not a 2xx; otherwise returns it. Does not
   * close the response.
   */
  public static Response requireSuccess(
      Response response, String operation, String platform, ErrorBodyParser parser) {
    if (!response.isSuccessful()) {
      throw toException(response, operation, platform, parser);
    }
    return response;
  }

  /**
   * The exception for a failed response. Reads (a copy of) the start of the body; does not close
   * the response.
   *
   * @param operation what was being done, e.g. {@code creating job definition}
   * @param platform the platform id, e.g. {@code fabric}
   * @param parser the platform's error body reader
   */
  public static KindlingException toException(
      Response response, String operation, String platform, ErrorBodyParser parser) {
    return toException(response, operation, platform, parser, Instant.now());
  }

  /** As {@link #toException(Response, String, String, ErrorBodyParser)}, at the given instant. */
  public static KindlingException toException(
      Response response, String operation, String platform, ErrorBodyParser parser, Instant now) {
    String body;
    try {
      body = response.peekBody(MAX_BODY_CHARS).string();
    } catch (IOException | IllegalStateException unreadable) {
      body = "";
    }
    return toException(
        response.code(),
        response.message(),
        response.headers(),
        body,
        operation,
        platform,
        parser,
        now);
  }

  /**
   * The exception for a failed call described by its parts.
   *
   * @param reason the HTTP reason phrase; may be empty
   * @param body the response body text; may be empty
   * @param now the current instant, to read a {@code Retry-After} date
   */
  public static KindlingException toException(
      int status,
      String reason,
      Headers headers,
      String body,
      String operation,
      String platform,
      ErrorBodyParser parser,
      Instant now) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(parser, "parser");
    String text = body == null ? "" : body;
    PlatformError error = parse(parser, status, headers, text);
    String code = error.code().orElse(null);
    String requestId = error.requestId().or(() -> requestIdHeader(headers)).orElse(null);
    String platformMessage =
        error.message().or(() -> fallbackMessage(text, reason)).orElse("no details given");
    Optional<Duration> retryAfter =
        status == 429 ? RetryAfter.parse(headers.get("Retry-After"), now) : Optional.empty();

    StringBuilder sb = new StringBuilder();
    if (platform != null) {
      sb.append(platform).append(": ");
    }
    sb.append(operation).append(" failed with HTTP ").append(status);
    if (code != null) {
      sb.append(" (").append(code).append(')');
    }
    sb.append(": ").append(platformMessage);
    if (requestId != null) {
      sb.append(" [request id ").append(requestId).append(']');
    }
    sb.append(". ").append(hint(status, retryAfter));
    String message = sb.toString();

    if (status == 401 || status == 403) {
      return new AuthException(message, null, platform, status, code, requestId);
    }
    if (status == 404) {
      return new NotFoundException(message, null, platform, status, code, requestId);
    }
    if (status == 409) {
      return new ConflictException(message, null, platform, status, code, requestId);
    }
    if (status == 429) {
      return new ThrottledException(
          message, null, platform, status, code, requestId, retryAfter.orElse(null));
    }
    if (status >= 500 && status <= 599) {
      return new TransientException(message, null, platform, status, code, requestId);
    }
    return new KindlingException(message, null, platform, status, code, requestId);
  }

  /**
   * The exception for a call that got no response at all (after the retry interceptor gave up or
   * chose not to retry): a {@link TransientException}.
   */
  public static KindlingException fromFailure(
      IOException failure, String operation, String platform) {
    String message =
        (platform == null ? "" : platform + ": ")
            + operation
            + " failed: "
            + failure.getClass().getSimpleName()
            + (failure.getMessage() == null ? "" : " (" + failure.getMessage() + ")")
            + ". Check the network and the target's endpoint, then try again.";
    return new TransientException(message, failure, platform, null, null, null);
  }

  private static PlatformError parse(
      ErrorBodyParser parser, int status, Headers headers, String body) {
    try {
      PlatformError e = parser.parse(status, headers, body);
      return e == null ? PlatformError.none() : e;
    } catch (RuntimeException unreadable) {
      return PlatformError.none();
    }
  }

  private static Optional<String> requestIdHeader(Headers headers) {
    for (String name : REQUEST_ID_HEADERS) {
      String v = headers.get(name);
      if (v != null && !v.isBlank()) {
        return Optional.of(v.strip());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> fallbackMessage(String body, String reason) {
    String oneLine = body.strip().replaceAll("\\s+", " ");
    if (!oneLine.isEmpty()) {
      return Optional.of(
          oneLine.length() <= MAX_FALLBACK_MESSAGE
              ? oneLine
              : oneLine.substring(0, MAX_FALLBACK_MESSAGE) + "…");
    }
    return reason == null || reason.isBlank() ? Optional.empty() : Optional.of(reason.strip());
  }

  private static String hint(int status, Optional<Duration> retryAfter) {
    if (status == 401) {
      return "Check the target's auth block: the credential, tenant and that it is still valid.";
    }
    if (status == 403) {
      return "Check the target's auth block and the principal's permissions on the workspace.";
    }
    if (status == 404) {
      return "Check that the workspace, job or run named in the target config exists.";
    }
    if (status == 409) {
      return "Something else changed it at the same time, or the name is taken; try again.";
    }
    if (status == 429) {
      return "The platform is throttling requests; try again later"
          + retryAfter.map(d -> " (it asked to wait " + d.toSeconds() + " s)").orElse("")
          + ".";
    }
    if (status >= 500) {
      return "A temporary platform failure; try again later.";
    }
    if (status == 400) {
      return "The platform rejected the request; check the values in the job and target config.";
    }
    return "Check the target config.";
  }
}
