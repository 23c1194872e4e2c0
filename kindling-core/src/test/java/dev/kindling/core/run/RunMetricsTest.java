package dev.kindling.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RunMetricsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T02:10:00Z");

  @Test
  void queueAndRunTimeComeFromTheThreeInstants() {
    RunMetrics m =
        new RunMetrics(
            "r",
            RunState.SUCCEEDED,
            "Completed",
            Optional.of(T0),
            Optional.of(T0.plusSeconds(30)),
            Optional.of(T0.plusSeconds(100)),
            2,
            Optional.of("rel"),
            OptionalLong.of(1234));

    assertThat(m.queueTime()).contains(Duration.ofSeconds(30));
    assertThat(m.runTime()).contains(Duration.ofSeconds(70));
    assertThat(m.attempts()).isEqualTo(2);
  }

  @Test
  void aRunningRunHasNoRunTimeAndUnknownTimesNoDurations() {
    RunMetrics running =
        new RunMetrics(
            "r",
            RunState.RUNNING,
            "",
            Optional.of(T0),
            Optional.of(T0.plusSeconds(5)),
            Optional.empty(),
            1,
            Optional.empty(),
            OptionalLong.empty());
    RunMetrics unknown =
        new RunMetrics("r", RunState.PENDING, null, null, null, null, 1, null, null);

    assertThat(running.runTime()).isEmpty();
    assertThat(running.queueTime()).contains(Duration.ofSeconds(5));
    assertThat(unknown.queueTime()).isEmpty();
    assertThat(unknown.runTime()).isEmpty();
    assertThat(unknown.bytesDeployed()).isEmpty();
  }

  @Test
  void clocksThatDisagreeNeverGiveANegativeQueueTime() {
    RunMetrics m =
        new RunMetrics(
            "r",
            RunState.SUCCEEDED,
            "",
            Optional.of(T0.plusSeconds(2)),
            Optional.of(T0),
            Optional.of(T0.plusSeconds(10)),
            1,
            Optional.empty(),
            OptionalLong.empty());

    assertThat(m.queueTime()).contains(Duration.ZERO);
  }

  @Test
  void offsetPageTokensRoundTripAndForeignOnesAreRefused() {
    assertThat(RunPage.offsetOf(null)).isZero();
    assertThat(RunPage.offsetOf(RunPage.offsetToken(40))).isEqualTo(40);
    assertThatThrownBy(() -> RunPage.offsetOf("abc"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("page token");
    assertThat(RunPage.clamp(0)).isEqualTo(1);
    assertThat(RunPage.clamp(1000)).isEqualTo(RunPage.MAX_LIMIT);
    assertThat(new RunPage(List.of(), Optional.of("")).nextPageToken()).isEmpty();
  }
}
