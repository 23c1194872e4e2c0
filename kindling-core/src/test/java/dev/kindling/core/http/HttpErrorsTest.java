package dev.kindling.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.error.ConflictException;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.error.TransientException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  /** A Fabric-like parser: {errorCode, message, requestId}. */
  private static final ErrorBodyParser FABRIC_LIKE =
      (status, headers, body) -> {
        try {
          JsonNode n = JSON.readTree(body);
          return PlatformError.of(
              n.path("errorCode").asText(null),
              n.path("message").asText(null),
              n.path("requestId").asText(null));
        } catch (IOException e) {
          return PlatformError.none();
        }
      };

  private static Response response(int status, String body, Headers headers) {
    return new Response.Builder()
        .request(
            new Request.Builder()
                .url("https://api.example.test/v1/items")
                .header("Authorization", "Bearer SECRET-TOKEN")
                .build())
        .protocol(Protocol.HTTP_1_1)
        .code(status)
        .message("Reason")
        .headers(headers)
        .body(ResponseBody.create(body, MediaType.get("application/json")))
        .build();
  }

  private static KindlingException map(int status, String body, Headers headers) {
    return HttpErrors.toException(
        response(status, body, headers), "creating job definition", "fabric", FABRIC_LIKE, NOW);
  }

  private static final String BODY =
      "{\"errorCode\":\"ItemNotFound\",\"message\":\"The item was not found\",\"requestId\":\"rid-1\"}";

  @ParameterizedTest
  @CsvSource({
    "400, dev.kindling.core.error.KindlingException",
    "401, dev.kindling.core.error.AuthException",
    "403, dev.kindling.core.error.AuthException",
    "404, dev.kindling.core.error.NotFoundException",
    "409, dev.kindling.core.error.ConflictException",
    "429, dev.kindling.core.error.ThrottledException",
    "500, dev.kindling.core.error.TransientException",
    "502, dev.kindling.core.error.TransientException",
    "503, dev.kindling.core.error.TransientException",
    "418, dev.kindling.core.error.KindlingException",
  })
  void mapsStatusesToTheHierarchy(int status, Class<?> type) {
    KindlingException e = map(status, BODY, Headers.of());
    assertThat(e).isExactlyInstanceOf(type);
    assertThat(e.httpStatus()).hasValue(status);
    assertThat(e.errorCode()).contains("ItemNotFound");
    assertThat(e.requestId()).contains("rid-1");
    assertThat(e.platform()).contains("fabric");
  }

  @Test
  void theMessageSaysWhatHappenedAndWhatToDoButNoToken() {
    KindlingException e = map(404, BODY, Headers.of());
    assertThat(e)
        .isInstanceOf(NotFoundException.class)
        .hasMessage(
            "fabric: creating job definition failed with HTTP 404 (ItemNotFound): The item was not"
                + " found [request id rid-1]. Check that the workspace, job or run named in the"
                + " target config exists.")
        .hasMessageNotContaining("SECRET-TOKEN");
  }

  @Test
  void authFailuresPointAtTheAuthBlock() {
    assertThat(map(401, BODY, Headers.of()))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("check the target's auth block".substring(1));
    assertThat(map(403, BODY, Headers.of()))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("permissions");
  }

  @Test
  void throttlingCarriesTheRetryAfterWait() {
    KindlingException e = map(429, BODY, Headers.of("Retry-After", "55"));
    assertThat(e).isInstanceOf(ThrottledException.class).hasMessageContaining("wait 55 s");
    assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(55));
    assertThat(((ThrottledException) map(429, BODY, Headers.of())).retryAfter()).isEmpty();
  }

  @Test
  void fallsBackToRequestIdHeadersAndTheBodyText() {
    KindlingException e =
        map(502, "<html>Bad   gateway\n</html>", Headers.of("x-ms-request-id", "hdr-rid"));
    assertThat(e).isInstanceOf(TransientException.class);
    assertThat(e.requestId()).contains("hdr-rid");
    assertThat(e.errorCode()).isEmpty();
    assertThat(e.getMessage())
        .contains("HTTP 502: <html>Bad gateway </html> [request id hdr-rid]")
        .contains("try again later");
  }

  @Test
  void fallsBackToTheReasonPhraseForAnEmptyBody() {
    assertThat(map(409, "", Headers.of()))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("HTTP 409: Reason.");
  }

  @Test
  void survivesAParserThatThrows() {
    KindlingException e =
        HttpErrors.toException(
            response(500, "{}", Headers.of()),
            "listing jobs",
            "databricks",
            (s, h, b) -> {
              throw new IllegalStateException("bad parser");
            },
            NOW);
    assertThat(e).isInstanceOf(TransientException.class).hasMessageContaining("listing jobs");
  }

  @Test
  void requireSuccessPassesSuccessfulResponsesThrough() {
    Response ok = response(200, "{}", Headers.of());
    assertThat(HttpErrors.requireSuccess(ok, "x", "p", ErrorBodyParser.none())).isSameAs(ok);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                HttpErrors.requireSuccess(
                    response(404, "", Headers.of()), "getting run", "p", ErrorBodyParser.none()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageStartingWith("p: getting run failed with HTTP 404");
  }

  @Test
  void networkFailuresAreTransient() {
    KindlingException e =
        HttpErrors.fromFailure(new SocketTimeoutException("timeout"), "uploading f.py", "fabric");
    assertThat(e)
        .isInstanceOf(TransientException.class)
        .hasMessage(
            "fabric: uploading f.py failed: SocketTimeoutException (timeout). Check the network"
                + " and the target's endpoint, then try again.")
        .hasCauseInstanceOf(SocketTimeoutException.class);
  }
}
