package dev.kindling.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmulatorServerTest {
  private final EmulatorServer server =
      new EmulatorServer("test", 0)
          .route(
              "GET",
              "/items/([^/]+)",
              r -> EmulatorServer.Response.json(200, Map.of("id", r.group(1))))
          .route("POST", "/echo", r -> EmulatorServer.Response.bytes(201, r.bytes(), "text/plain"));
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void close() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUrl().resolve(path))
            .header("Authorization", "Bearer s3cr3t")
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesAndJournalsWithoutCredentials() throws Exception {
    assertThat(server.baseUrl().getHost()).isEqualTo("127.0.0.1");
    HttpResponse<String> r = get("/items/abc?x=1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"abc\"");
    HttpResponse<String> echo =
        http.send(
            HttpRequest.newBuilder(server.baseUrl().resolve("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("hi"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(echo.statusCode()).isEqualTo(201);
    assertThat(echo.body()).isEqualTo("hi");
    assertThat(get("/nowhere").statusCode()).isEqualTo(404);

    assertThat(server.journal().entries()).hasSize(3);
    Journal.Entry first = server.journal().entries().get(0);
    assertThat(first.path()).isEqualTo("/items/abc");
    assertThat(first.query()).isEqualTo("x=1");
    assertThat(first.headers().get("authorization")).isEqualTo("REDACTED");
    assertThat(server.journal().toString()).doesNotContain("s3cr3t");
    assertThat(server.journal().requests("GET", "/items/.*")).hasSize(1);
  }

  @Test
  void injectedFaultsFireTheGivenNumberOfTimes() throws Exception {
    server.inject(
        Fault.on("GET", "/items/.*").status(429).header("Retry-After", "3").times(2).build());

    HttpResponse<String> first = get("/items/a");
    assertThat(first.statusCode()).isEqualTo(429);
    assertThat(first.headers().firstValue("Retry-After")).contains("3");
    assertThat(get("/items/a").statusCode()).isEqualTo(429);
    assertThat(get("/items/a").statusCode()).isEqualTo(200);
    assertThat(server.journal().entries())
        .extracting(Journal.Entry::fault)
        .containsExactly("STATUS 429 on GET /items/.*", "STATUS 429 on GET /items/.*", "");
  }

  @Test
  void aDroppedConnectionIsAnIoErrorForTheClient() {
    // always: the JDK client retries a GET once on a dropped connection
    server.inject(Fault.on("GET", "/items/.*").drop().always().build());

    assertThatThrownBy(() -> get("/items/a")).isInstanceOf(IOException.class);
    assertThat(server.journal().entries().get(0).status()).isZero();
  }
}
