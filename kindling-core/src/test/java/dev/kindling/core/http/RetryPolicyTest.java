package dev.kindling.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final RequestBody JSON =
      RequestBody.create("{}", MediaType.get("application/json"));

  private static Request request(String method) {
    RequestBody body = method.equals("GET") || method.equals("HEAD") ? null : JSON;
    return new Request.Builder().url("https://example.test/x").method(method, body).build();
  }

  @Test
  void hasTheDocumentedDefaults() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.maxAttempts()).isEqualTo(6);
    assertThat(p.baseDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.maxTotalTime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.jitter()).isTrue();
    assertThat(p.retryStatuses()).containsExactlyInAnyOrder(429, 502, 503, 504);
    assertThat(p.retryConnectionFailures()).isTrue();
    assertThat(p.toBuilder().build()).isEqualTo(p);
  }

  @Test
  void retriesOnlyIdempotentMethodsUnlessTaggedRetrySafe() {
    RetryPolicy p = RetryPolicy.defaults();
    for (String m : List.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS")) {
      assertThat(p.isRetryable(request(m))).as(m).isTrue();
    }
    assertThat(p.isRetryable(request("POST"))).isFalse();
    assertThat(p.isRetryable(request("PATCH"))).isFalse();
    Request safe = request("POST").newBuilder().tag(RetrySafe.class, RetrySafe.INSTANCE).build();
    assertThat(p.isRetryable(safe)).isTrue();
  }

  @Test
  void retriesTheConfiguredStatusesOnly() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.retriesStatus(429)).isTrue();
    assertThat(p.retriesStatus(503)).isTrue();
    assertThat(p.retriesStatus(500)).isFalse();
    assertThat(p.retriesStatus(404)).isFalse();
    RetryPolicy with500 = p.toBuilder().addRetryStatus(500).build();
    assertThat(with500.retriesStatus(500)).isTrue();
    assertThat(p.toBuilder().retryStatuses(List.of(503)).build().retryStatuses())
        .containsExactly(503);
  }

  @Test
  void classifiesConnectionFailures() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.retriesFailure(new ConnectException("refused"))).isTrue();
    assertThat(p.retriesFailure(new SocketException("Connection reset"))).isTrue();
    assertThat(p.retriesFailure(new SocketTimeoutException("timeout"))).isTrue();
    assertThat(p.retriesFailure(new IOException("unexpected end of stream"))).isTrue();
    assertThat(p.retriesFailure(new SSLException("reset", new SocketException("reset")))).isTrue();
    assertThat(p.retriesFailure(new UnknownHostException("nope"))).isFalse();
    assertThat(p.retriesFailure(new SSLHandshakeException("bad cert"))).isFalse();
    assertThat(p.retriesFailure(new InterruptedIOException("timeout"))).isFalse();
    assertThat(p.retriesFailure(new IOException("Canceled"))).isFalse();
    assertThat(p.retriesFailure(new java.net.ProtocolException("bad"))).isFalse();
    assertThat(p.retriesFailure(new EOFException())).isTrue();
    RetryPolicy off = p.toBuilder().retryConnectionFailures(false).build();
    assertThat(off.retriesFailure(new ConnectException("refused"))).isFalse();
  }

  @Test
  void backsOffExponentiallyUpToTheMaxDelayWithoutJitter() {
    RetryPolicy p = RetryPolicy.builder().jitter(false).build();
    List<Long> seconds =
        IntStream.rangeClosed(1, 9)
            .mapToObj(n -> p.backoff(n, new SplittableRandom(1)).toSeconds())
            .toList();
    assertThat(seconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
    assertThat(p.backoff(1000, new SplittableRandom(1))).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void fullJitterStaysUnderTheCeilingAndIsDeterministicForASeed() {
    RetryPolicy p = RetryPolicy.defaults();
    SplittableRandom a = new SplittableRandom(7);
    SplittableRandom b = new SplittableRandom(7);
    for (int n = 1; n <= 10; n++) {
      Duration ceiling = Duration.ofSeconds(Math.min(60, 1L << (n - 1)));
      Duration d = p.backoff(n, a);
      assertThat(d).isBetween(Duration.ZERO, ceiling);
      assertThat(p.backoff(n, b)).isEqualTo(d);
    }
  }

  @Test
  void prefersRetryAfterCappedAtTheMaxDelay() {
    RetryPolicy p = RetryPolicy.defaults();
    SplittableRandom r = new SplittableRandom(1);
    assertThat(p.delay(1, Optional.of(Duration.ofSeconds(5)), r)).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.delay(1, Optional.of(Duration.ofMinutes(5)), r)).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.delay(1, Optional.empty(), r)).isLessThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aZeroBaseDelayRetriesAtOnce() {
    RetryPolicy p = RetryPolicy.builder().baseDelay(Duration.ZERO).jitter(false).build();
    assertThat(p.backoff(5, new SplittableRandom(1))).isEqualTo(Duration.ZERO);
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.builder().maxDelay(Duration.ofMillis(1)).build())
        .hasMessageContaining("maxDelay");
    assertThatThrownBy(() -> RetryPolicy.builder().maxTotalTime(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.builder().addRetryStatus(200).build())
        .hasMessageContaining("4xx or 5xx");
    assertThatThrownBy(() -> RetryPolicy.defaults().backoff(0, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
