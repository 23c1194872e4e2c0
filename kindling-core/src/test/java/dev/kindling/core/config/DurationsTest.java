package dev.kindling.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void sumsOfUnits() {
    assertThat(Durations.sum("500ms", false)).contains(Duration.ofMillis(500));
    assertThat(Durations.sum(" 1H30m ", false)).contains(Duration.ofMinutes(90));
    assertThat(Durations.sum("2d", true)).contains(Duration.ofDays(2));
  }

  @Test
  void anythingElseIsEmpty() {
    assertThat(Durations.sum("2d", false)).isEmpty();
    assertThat(Durations.sum("", true)).isEmpty();
    assertThat(Durations.sum("90", true)).isEmpty();
    assertThat(Durations.sum("1h 30m", true)).isEmpty();
    assertThat(Durations.sum("30x", true)).isEmpty();
    assertThat(Durations.sum("99999999999999999999s", true)).isEmpty();
    assertThat(Durations.sum("999999999999999999d", true)).isEmpty();
  }
}
