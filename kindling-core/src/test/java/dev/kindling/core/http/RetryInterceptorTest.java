package dev.kindling.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.kindling.core.error.TransientException;
import dev.kindling.core.time.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RetryInterceptorTest {
  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance()
          .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
          .build();

  private final ManualScheduler clock = new ManualScheduler();

  private OkHttpClient client(RetryPolicy policy) {
    return new OkHttpClient.Builder()
        .addInterceptor(new RetryInterceptor(policy, clock, new SplittableRandom(42), "test"))
        .build();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getPort() + path;
  }

  private Request getRequest(String path) {
    return new Request.Builder().url(url(path)).build();
  }

  private Request postRequest(String path) {
    return new Request.Builder()
        .url(url(path))
        .post(RequestBody.create("{}", MediaType.get("application/json")))
        .build();
  }

  /** First {@code first}, then 200 "ok" for every later request. */
  private void stubThenOk(
      String path, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder first) {
    server.stubFor(
        any(urlPathEqualTo(path))
            .inScenario(path)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(first)
            .willSetStateTo("ok"));
    server.stubFor(
        any(urlPathEqualTo(path))
            .inScenario(path)
            .whenScenarioStateIs("ok")
            .willReturn(aResponse().withStatus(200).withBody("ok")));
  }

  private int requestCount() {
    return server
        .findAll(anyRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.anyUrl()))
        .size();
  }

  @Test
  void retries503ThenSucceeds() throws IOException {
    stubThenOk("/x", aResponse().withStatus(503));

    try (Response r = client(RetryPolicy.defaults()).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("ok");
    }
    assertThat(requestCount()).isEqualTo(2);
    assertThat(clock.sleeps()).hasSize(1);
    assertThat(clock.sleeps().get(0)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
  }

  @Test
  void waitsTheRetryAfterSecondsOf429() throws IOException {
    stubThenOk("/x", aResponse().withStatus(429).withHeader("Retry-After", "2"));

    try (Response r = client(RetryPolicy.defaults()).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(2));
    assertThat(clock.now()).isEqualTo(ManualScheduler.DEFAULT_START.plusSeconds(2));
  }

  @Test
  void waitsUntilTheRetryAfterHttpDate() throws IOException {
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            clock.now().plusSeconds(7).atOffset(ZoneOffset.UTC));
    stubThenOk("/x", aResponse().withStatus(503).withHeader("Retry-After", date));

    try (Response r = client(RetryPolicy.defaults()).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void capsRetryAfterAtMaxDelay() throws IOException {
    stubThenOk("/x", aResponse().withStatus(429).withHeader("Retry-After", "600"));

    try (Response r = client(RetryPolicy.defaults()).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(60));
  }

  @Test
  void doesNotRetryPost() throws IOException {
    stubThenOk("/x", aResponse().withStatus(503));

    try (Response r = client(RetryPolicy.defaults()).newCall(postRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(503);
    }
    assertThat(requestCount()).isEqualTo(1);
    assertThat(clock.sleeps()).isEmpty();
  }

  @Test
  void retriesAPostTurnedAwayWith429AfterItsRetryAfter() throws IOException {
    stubThenOk("/x", aResponse().withStatus(429).withHeader("Retry-After", "4"));

    try (Response r = client(RetryPolicy.defaults()).newCall(postRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(requestCount()).isEqualTo(2);
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(4));
  }

  @Test
  void retriesPostTaggedRetrySafe() throws IOException {
    stubThenOk("/x", aResponse().withStatus(429).withHeader("Retry-After", "3"));
    Request safe = postRequest("/x").newBuilder().tag(RetrySafe.class, RetrySafe.INSTANCE).build();

    try (Response r = client(RetryPolicy.defaults()).newCall(safe).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(requestCount()).isEqualTo(2);
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(3));
  }

  @Test
  void doesNotRetryStatusesOutsideThePolicy() throws IOException {
    stubThenOk("/x", aResponse().withStatus(500));

    try (Response r = client(RetryPolicy.defaults()).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(500);
    }
    assertThat(requestCount()).isEqualTo(1);
  }

  @Test
  void retries500WhenThePlatformAddsIt() throws IOException {
    stubThenOk("/x", aResponse().withStatus(500));
    RetryPolicy with500 = RetryPolicy.builder().addRetryStatus(500).build();

    try (Response r = client(with500).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(requestCount()).isEqualTo(2);
  }

  @Test
  void retriesAConnectionResetForGet() throws IOException {
    stubThenOk("/x", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

    try (Response r = client(RetryPolicy.defaults()).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(clock.sleeps()).hasSize(1);
  }

  @Test
  void doesNotRetryAConnectionResetForPost() {
    stubThenOk("/x", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

    assertThatThrownBy(() -> client(RetryPolicy.defaults()).newCall(postRequest("/x")).execute())
        .isInstanceOf(IOException.class);
    assertThat(clock.sleeps()).isEmpty();
  }

  @Test
  void throwsTransientExceptionWithTheAttemptCountWhenFailuresPersist() {
    server.stubFor(
        get("/x?sig=s3cr3t").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    RetryPolicy three = RetryPolicy.builder().maxAttempts(3).build();
    Request request = getRequest("/x?sig=s3cr3t");

    assertThatThrownBy(() -> client(three).newCall(request).execute())
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("GET /x?sig=REDACTED on test failed after 3 attempts")
        .hasMessageNotContaining("s3cr3t")
        .hasCauseInstanceOf(IOException.class);
    assertThat(clock.sleeps()).hasSize(2);
  }

  @Test
  void returnsTheLast429WhenAttemptsRunOut() throws IOException {
    server.stubFor(
        get("/x").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
    RetryPolicy four = RetryPolicy.builder().maxAttempts(4).build();

    try (Response r = client(four).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(429);
    }
    assertThat(requestCount()).isEqualTo(4);
    assertThat(clock.sleeps()).hasSize(3).allMatch(d -> d.equals(Duration.ofSeconds(1)));
  }

  @Test
  void neverWaitsPastTheTotalBudgetForRetryAfter() throws IOException {
    server.stubFor(
        get("/x").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "50")));
    RetryPolicy budget =
        RetryPolicy.builder().maxAttempts(100).maxTotalTime(Duration.ofMinutes(2)).build();

    try (Response r = client(budget).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(503);
    }
    // 0 s, 50 s, 100 s; a third 50 s wait would end at 150 s > 120 s
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(50), Duration.ofSeconds(50));
    assertThat(requestCount()).isEqualTo(3);
  }

  @Test
  void capsBackoffAtTheRemainingBudget() throws IOException {
    server.stubFor(get("/x").willReturn(aResponse().withStatus(502)));
    RetryPolicy budget =
        RetryPolicy.builder()
            .maxAttempts(100)
            .jitter(false)
            .maxTotalTime(Duration.ofSeconds(10))
            .build();

    try (Response r = client(budget).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(502);
    }
    assertThat(clock.sleeps())
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(3));
    assertThat(clock.totalSlept()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aPolicyOfOneAttemptNeverRetries() throws IOException {
    stubThenOk("/x", aResponse().withStatus(503));
    try (Response r = client(RetryPolicy.none()).newCall(getRequest("/x")).execute()) {
      assertThat(r.code()).isEqualTo(503);
    }
    assertThat(requestCount()).isEqualTo(1);
  }

  @Test
  void aPostWithAOneShotBodyIsNeverRetriedEvenWhenTagged() throws IOException {
    stubThenOk("/x", aResponse().withStatus(503));
    RequestBody oneShot =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return MediaType.get("text/plain");
          }

          @Override
          public boolean isOneShot() {
            return true;
          }

          @Override
          public void writeTo(okio.BufferedSink sink) throws IOException {
            sink.writeUtf8("once");
          }
        };
    Request request =
        new Request.Builder()
            .url(url("/x"))
            .put(oneShot)
            .tag(RetrySafe.class, RetrySafe.INSTANCE)
            .build();

    try (Response r = client(RetryPolicy.defaults()).newCall(request).execute()) {
      assertThat(r.code()).isEqualTo(503);
    }
    assertThat(requestCount()).isEqualTo(1);
  }

  @Test
  void postRequestsAreAlsoSentOnceOnTimeouts() {
    server.stubFor(post("/x").willReturn(aResponse().withFixedDelay(2_000)));
    OkHttpClient impatient =
        client(RetryPolicy.defaults()).newBuilder().readTimeout(Duration.ofMillis(100)).build();

    assertThatThrownBy(() -> impatient.newCall(postRequest("/x")).execute())
        .isInstanceOf(java.net.SocketTimeoutException.class);
    assertThat(clock.sleeps()).isEmpty();
  }

  @Test
  void retriesAReadTimeoutForGet() throws IOException {
    stubThenOk("/x", aResponse().withStatus(200).withBody("late").withFixedDelay(2_000));
    OkHttpClient impatient =
        client(RetryPolicy.defaults()).newBuilder().readTimeout(Duration.ofMillis(200)).build();

    try (Response r = impatient.newCall(getRequest("/x")).execute()) {
      assertThat(r.body().string()).isEqualTo("ok");
    }
    assertThat(clock.sleeps()).hasSize(1);
  }
}
