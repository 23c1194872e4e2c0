package dev.kindling.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.kindling.core.config.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedactingLoggingInterceptorTest {
  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance()
          .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
          .build();

  private final List<String> lines = new ArrayList<>();

  private OkHttpClient client(boolean trace) {
    return new OkHttpClient.Builder()
        .addInterceptor(
            new AuthInterceptor(StaticTokenProvider.of(Secret.of("BEARER-TOKEN-123")), "scope"))
        .addNetworkInterceptor(new RedactingLoggingInterceptor(lines::add, trace))
        .build();
  }

  private String url(String pathAndQuery) {
    return "http://127.0.0.1:" + server.getPort() + pathAndQuery;
  }

  private String logged() {
    return String.join("\n", lines);
  }

  @Test
  void redactsSecretHeadersAndQueryParameters() throws IOException {
    server.stubFor(
        any(urlPathEqualTo("/files"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Set-Cookie", "session=COOKIE-VALUE")
                    .withHeader("x-ms-request-id", "req-1")));
    Request request =
        new Request.Builder()
            .url(
                url(
                    "/files?api-version=2020-12-01&sig=SIG-VALUE&se=2030-01-01&sp=rw&sv=2022"
                        + "&skoid=OID&sktid=TID&code=AUTH-CODE&client_secret=CS-VALUE"
                        + "&access_token=AT-VALUE&mySecretThing=MS-VALUE&apiKey=KEY-VALUE"))
            .header("Cookie", "c=COOKIE-REQUEST")
            .header("x-ms-upload-token", "UPLOAD-TOKEN")
            .header("X-Databricks-Azure-SP-Management-Token", "ARM-TOKEN")
            .header("x-api-key", "API-KEY")
            .header("Accept", "application/json")
            .build();

    try (Response r = client(false).newCall(request).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }

    String log = logged();
    assertThat(log)
        .doesNotContain(
            "BEARER-TOKEN-123",
            "SIG-VALUE",
            "2030-01-01",
            "OID",
            "TID",
            "AUTH-CODE",
            "CS-VALUE",
            "AT-VALUE",
            "MS-VALUE",
            "KEY-VALUE",
            "COOKIE-REQUEST",
            "COOKIE-VALUE",
            "UPLOAD-TOKEN",
            "ARM-TOKEN",
            "API-KEY")
        .contains("--> GET http://127.0.0.1:" + server.getPort() + "/files?api-version=2020-12-01")
        .contains("sig=REDACTED", "se=REDACTED", "client_secret=REDACTED")
        .contains("Authorization: REDACTED", "Set-Cookie: REDACTED")
        .contains("Accept: application/json", "x-ms-request-id: req-1")
        .containsPattern("<-- 200 .*/files\\?.* \\(\\d+ ms\\)");
  }

  @Test
  void neverLogsRequestBodies() throws IOException {
    server.stubFor(any(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(200)));
    Request post =
        new Request.Builder()
            .url(url("/token"))
            .post(
                RequestBody.create(
                    "client_secret=BODY-SECRET",
                    MediaType.get("application/x-www-form-urlencoded")))
            .build();

    try (Response r = client(true).newCall(post).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(logged()).doesNotContain("BODY-SECRET").contains("request body not logged");
  }

  @Test
  void logsSmallJsonResponseBodiesAtTraceWithSecretFieldsRedacted() throws IOException {
    server.stubFor(
        any(urlPathEqualTo("/json"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"id\":\"42\",\"token_value\":\"dapi-LEAK\",\"state\":\"RUNNING\"}")));

    try (Response r =
        client(true).newCall(new Request.Builder().url(url("/json")).build()).execute()) {
      // the caller still reads the whole body
      assertThat(r.body().string()).contains("dapi-LEAK");
    }
    assertThat(logged())
        .contains("\"id\":\"42\"", "\"state\":\"RUNNING\"", "\"token_value\":\"REDACTED\"")
        .doesNotContain("dapi-LEAK");
  }

  @Test
  void skipsLargeOrNonJsonBodiesAndTraceWhenOff() throws IOException {
    server.stubFor(
        any(urlPathEqualTo("/big"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"x\":\"" + "a".repeat(10_000) + "\"}")));
    server.stubFor(
        any(urlPathEqualTo("/text"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "text/plain")
                    .withBody("PLAIN-BODY")));
    server.stubFor(
        any(urlPathEqualTo("/small"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"small\":\"SMALL-BODY\"}")));

    for (String path : List.of("/big", "/text")) {
      try (Response r =
          client(true).newCall(new Request.Builder().url(url(path)).build()).execute()) {
        assertThat(r.body().string()).isNotEmpty();
      }
    }
    try (Response r =
        client(false).newCall(new Request.Builder().url(url("/small")).build()).execute()) {
      assertThat(r.body().string()).contains("SMALL-BODY");
    }
    assertThat(logged()).doesNotContain("aaaaaaaaaa", "PLAIN-BODY", "SMALL-BODY");
  }

  @Test
  void redactionRulesForUrlsAndHeaders() {
    HttpUrl url =
        HttpUrl.get(
            "https://user:pw@acct.dfs.core.windows.net/fs/dir/f.py?sv=1&sig=abc&continuationToken=x&resource=file");
    assertThat(Redaction.url(url))
        .isEqualTo(
            "https://acct.dfs.core.windows.net/fs/dir/f.py"
                + "?sv=REDACTED&sig=REDACTED&continuationToken=REDACTED&resource=file");
    assertThat(Redaction.pathAndQuery(url))
        .isEqualTo(
            "/fs/dir/f.py?sv=REDACTED&sig=REDACTED&continuationToken=REDACTED&resource=file");
    assertThat(Redaction.pathAndQuery(HttpUrl.get("https://h/a/b"))).isEqualTo("/a/b");
    assertThat(Redaction.isSecretHeader("Proxy-Authorization")).isTrue();
    assertThat(Redaction.isSecretHeader("x-ms-client-token")).isTrue();
    assertThat(Redaction.isSecretHeader("Content-Type")).isFalse();
    assertThat(Redaction.isSecretParam("api-version")).isFalse();
    assertThat(Redaction.isSecretParam("page_token")).isTrue();
  }

  @Test
  void redactsJsonFieldsNamedLikeSecrets() {
    assertThat(
            RedactingLoggingInterceptor.redactJson(
                "{\"access_token\": \"a\\\"b\", \"clientSecret\":\"s\", \"name\":\"n\", \"count\":3}"))
        .isEqualTo(
            "{\"access_token\": \"REDACTED\", \"clientSecret\":\"REDACTED\", \"name\":\"n\", \"count\":3}");
  }
}
