package dev.kindling.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.kindling.core.config.Secret;
import dev.kindling.core.time.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpClientsTest {
  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance()
          .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
          .build();

  @Test
  void theSharedClientHasTheDefaultTimeouts() {
    OkHttpClient shared = HttpClients.shared();
    assertThat(HttpClients.shared()).isSameAs(shared);
    assertThat(shared.connectTimeoutMillis()).isEqualTo(10_000);
    assertThat(shared.readTimeoutMillis()).isEqualTo(60_000);
    assertThat(shared.writeTimeoutMillis()).isEqualTo(60_000);
    assertThat(shared.callTimeoutMillis()).isZero();
    assertThat(shared.interceptors()).isEmpty();
  }

  @Test
  void everyClientsSocketsSendSmallSegmentsWithoutWaitingForAnAcknowledgement() throws Exception {
    // Nagle's algorithm plus delayed acknowledgements cost ~40 ms per upload request on Linux
    OkHttpClient platform = HttpClients.builder().platform("fabric").build();
    for (OkHttpClient client : java.util.List.of(HttpClients.shared(), platform)) {
      try (java.net.Socket unconnected = client.socketFactory().createSocket()) {
        assertThat(unconnected.getTcpNoDelay()).isTrue();
      }
    }
    try (java.net.Socket connected =
        platform.socketFactory().createSocket("127.0.0.1", server.getPort())) {
      assertThat(connected.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void platformClientsShareThePoolAndStackTheInterceptorsInOrder() {
    OkHttpClient fabric =
        HttpClients.forPlatform(
            "fabric",
            StaticTokenProvider.of(Secret.of("t")),
            "https://api.fabric.microsoft.com/.default");

    assertThat(fabric.connectionPool()).isSameAs(HttpClients.shared().connectionPool());
    assertThat(fabric.dispatcher()).isSameAs(HttpClients.shared().dispatcher());
    assertThat(fabric.interceptors()).hasSize(3);
    assertThat(fabric.interceptors().get(1)).isInstanceOf(RetryInterceptor.class);
    assertThat(fabric.interceptors().get(2)).isInstanceOf(AuthInterceptor.class);
    assertThat(fabric.networkInterceptors())
        .singleElement()
        .isInstanceOf(RedactingLoggingInterceptor.class);
  }

  @Test
  void timeoutsCanBeChangedPerClient() {
    OkHttpClient c =
        HttpClients.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .readTimeout(Duration.ofSeconds(3))
            .writeTimeout(Duration.ofSeconds(4))
            .callTimeout(Duration.ofMinutes(10))
            .logging(false)
            .build();
    assertThat(c.connectTimeoutMillis()).isEqualTo(2_000);
    assertThat(c.readTimeoutMillis()).isEqualTo(3_000);
    assertThat(c.writeTimeoutMillis()).isEqualTo(4_000);
    assertThat(c.callTimeoutMillis()).isEqualTo(600_000);
    assertThat(c.networkInterceptors()).isEmpty();
    assertThat(c.interceptors()).hasSize(2); // user agent, retry; no auth without tokens
  }

  @Test
  void sendsTheUserAgentAndTheTokenAndRetries() throws IOException {
    ManualScheduler clock = new ManualScheduler();
    server.stubFor(
        get("/api/2.2/jobs/list")
            .inScenario("s")
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("up"));
    server.stubFor(
        get("/api/2.2/jobs/list")
            .inScenario("s")
            .whenScenarioStateIs("up")
            .willReturn(aResponse().withStatus(200).withBody("{}")));
    OkHttpClient client =
        HttpClients.builder()
            .platform("databricks")
            .auth(StaticTokenProvider.of(Secret.of("dapi123")), "databricks")
            .scheduler(clock)
            .build();

    try (Response r =
        client
            .newCall(
                new Request.Builder()
                    .url("http://127.0.0.1:" + server.getPort() + "/api/2.2/jobs/list")
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
    }

    assertThat(HttpClients.userAgent()).startsWith("kindling-java/");
    server.verify(
        2,
        getRequestedFor(urlEqualTo("/api/2.2/jobs/list"))
            .withHeader("User-Agent", matching("kindling-java/.+"))
            .withHeader("Authorization", equalTo("Bearer dapi123")));
    assertThat(clock.sleeps()).hasSize(1);
  }
}
