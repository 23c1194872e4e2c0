package dev.kindling.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.kindling.core.config.Secret;
import dev.kindling.core.time.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthInterceptorTest {
  private static final String SCOPE = "https://api.example.test/.default";

  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance()
          .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
          .build();

  private final ManualScheduler clock = new ManualScheduler();
  private final List<String> asked = new ArrayList<>();
  private final TokenProvider source =
      scope -> {
        asked.add(scope);
        return new AccessToken(Secret.of("t" + asked.size()), clock.now().plusSeconds(3600));
      };

  private Response call(TokenProvider tokens) throws IOException {
    OkHttpClient client =
        new OkHttpClient.Builder().addInterceptor(new AuthInterceptor(tokens, SCOPE)).build();
    return client
        .newCall(new Request.Builder().url("http://127.0.0.1:" + server.getPort() + "/x").build())
        .execute();
  }

  @Test
  void sendsTheBearerToken() throws IOException {
    server.stubFor(get("/x").willReturn(aResponse().withStatus(200)));

    try (Response r = call(new CachingTokenProvider(source, clock))) {
      assertThat(r.code()).isEqualTo(200);
    }
    server.verify(
        getRequestedFor(urlEqualTo("/x")).withHeader("Authorization", equalTo("Bearer t1")));
    assertThat(asked).containsExactly(SCOPE);
  }

  @Test
  void on401GetsAFreshTokenAndRetriesOnce() throws IOException {
    server.stubFor(
        get("/x")
            .withHeader("Authorization", equalTo("Bearer t1"))
            .willReturn(aResponse().withStatus(401)));
    server.stubFor(
        get("/x")
            .withHeader("Authorization", equalTo("Bearer t2"))
            .willReturn(aResponse().withStatus(200).withBody("ok")));
    CachingTokenProvider tokens = new CachingTokenProvider(source, clock);

    try (Response r = call(tokens)) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("ok");
    }
    assertThat(asked).hasSize(2);
    // the fresh token is cached for later calls
    assertThat(tokens.token(SCOPE).value().reveal()).isEqualTo("t2");
  }

  @Test
  void aSecond401IsReturnedToTheCaller() throws IOException {
    server.stubFor(get("/x").willReturn(aResponse().withStatus(401)));

    try (Response r = call(new CachingTokenProvider(source, clock))) {
      assertThat(r.code()).isEqualTo(401);
    }
    server.verify(2, getRequestedFor(urlEqualTo("/x")));
    assertThat(asked).hasSize(2);
  }

  @Test
  void aRetriedRequestGetsATokenFreshAfterTheWait() throws IOException {
    // t1 expires 5.5 min from now, so after a 60 s throttling wait it is inside the 5 min margin
    TokenProvider shortLived =
        scope -> {
          asked.add(scope);
          return new AccessToken(
              Secret.of("t" + asked.size()), clock.now().plus(Duration.ofSeconds(330)));
        };
    server.stubFor(
        get("/x")
            .withHeader("Authorization", equalTo("Bearer t1"))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "60")));
    server.stubFor(
        get("/x")
            .withHeader("Authorization", equalTo("Bearer t2"))
            .willReturn(aResponse().withStatus(200)));
    OkHttpClient client =
        HttpClients.builder().platform("test").auth(shortLived, SCOPE).scheduler(clock).build();

    try (Response r =
        client
            .newCall(
                new Request.Builder().url("http://127.0.0.1:" + server.getPort() + "/x").build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(60));
    assertThat(asked).hasSize(2);
  }
}
