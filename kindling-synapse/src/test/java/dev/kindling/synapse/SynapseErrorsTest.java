package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.http.HttpErrors;
import dev.kindling.core.http.PlatformError;
import java.time.Instant;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

class SynapseErrorsTest {
  private static PlatformError parse(String body, String... headers) {
    return SynapseErrors.INSTANCE.parse(400, Headers.of(headers), body);
  }

  @Test
  void readsCloudErrors() {
    PlatformError e =
        parse(
            "{\"error\":{\"code\":\"BadRequest\",\"message\":\"jobProperties is required\",\"target\":\"x\"}}",
            "x-ms-request-id",
            "r-1");
    assertThat(e.code()).contains("BadRequest");
    assertThat(e.message()).contains("jobProperties is required");
    assertThat(e.requestId()).contains("r-1");
  }

  @Test
  void readsStorageSpellingAndTheErrorCodeHeader() {
    assertThat(parse("{\"Error\":{\"Code\":\"PathNotFound\",\"Message\":\"gone\"}}").code())
        .contains("PathNotFound");
    assertThat(parse("", "x-ms-error-code", "ServerBusy").code()).contains("ServerBusy");
  }

  @Test
  void readsLivyMessages() {
    assertThat(parse("{\"msg\":\"Session '5' not found.\"}").message())
        .contains("Session '5' not found.");
  }

  @Test
  void neverThrowsOnOddBodies() {
    assertThat(parse("<html>bad gateway</html>")).isEqualTo(PlatformError.none());
    assertThat(parse("[1,2]")).isEqualTo(PlatformError.none());
    assertThat(parse("{\"error\":\"plain\"}").message()).contains("plain");
  }

  @Test
  void mapsIntoTheExceptionHierarchyWithCodeAndMessage() {
    KindlingException e =
        HttpErrors.toException(
            404,
            "Not Found",
            Headers.of(),
            "{\"error\":{\"code\":\"SparkJobDefinitionNotFound\",\"message\":\"not there\"}}",
            "reading Spark job definition 'x'",
            "synapse",
            SynapseErrors.INSTANCE,
            Instant.EPOCH);
    assertThat(e).isInstanceOf(NotFoundException.class);
    assertThat(e.getMessage()).contains("SparkJobDefinitionNotFound").contains("not there");
    assertThat(e.errorCode()).contains("SparkJobDefinitionNotFound");
  }
}
