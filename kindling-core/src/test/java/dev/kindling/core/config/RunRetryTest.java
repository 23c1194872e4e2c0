package dev.kindling.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.RunState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunRetryTest {
  @Test
  void retryIsAJobConfigKeyReadValidatedAndWrittenBack() {
    JobConfig c =
        JobConfig.fromMap(
            Map.of(
                "retry",
                Map.of(
                    "max_attempts",
                    4,
                    "backoff",
                    Map.of("initial", "500ms", "max", "2s"),
                    "on",
                    List.of("timed_out"))));

    RunRetry r = c.retry().orElseThrow();
    assertThat(r.maxAttempts()).isEqualTo(4);
    assertThat(r.on()).containsExactly(RunState.TIMED_OUT);
    assertThat(r.backoffAfter(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(r.backoffAfter(2)).isEqualTo(Duration.ofSeconds(1));
    assertThat(r.backoffAfter(5)).isEqualTo(Duration.ofSeconds(2));
    assertThat(JobConfig.fromMap(c.toMap())).isEqualTo(c);
  }

  @Test
  void retryDecidesOnStateAndAttempt() {
    RunRetry r = RunRetry.attempts(3, Duration.ofSeconds(1));

    assertThat(r.retries(RunState.FAILED, 1)).isTrue();
    assertThat(r.retries(RunState.FAILED, 2)).isTrue();
    assertThat(r.retries(RunState.FAILED, 3)).isFalse();
    assertThat(r.retries(RunState.TIMED_OUT, 1)).isFalse();
    assertThat(r.retries(RunState.CANCELLED, 1)).isFalse();
    assertThat(r.on(RunState.FAILED, RunState.TIMED_OUT).retries(RunState.TIMED_OUT, 1)).isTrue();
  }

  @Test
  void everyRetryProblemIsReported() {
    Map<String, Object> retry =
        Map.of(
            "max_attempts",
            "lots",
            "backoff",
            Map.of("initial", "soon", "multiplyer", 2),
            "on",
            List.of("CANCELLED", "EXPLODED"),
            "tries",
            2);

    assertThatThrownBy(() -> JobConfig.fromMap(Map.of("retry", retry)))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.toString())
                    .anyMatch(p -> p.contains("retry.max_attempts"))
                    .anyMatch(
                        p -> p.contains("retry.backoff.initial") && p.contains("not a duration"))
                    .anyMatch(
                        p -> p.contains("retry.backoff.multiplyer") && p.contains("multiplier"))
                    .anyMatch(p -> p.contains("`EXPLODED` is not a run state"))
                    .anyMatch(p -> p.contains("retry.tries")));
  }

  @Test
  void aCancelIsNeverRetried() {
    assertThatThrownBy(
            () ->
                JobConfig.fromMap(
                    Map.of("retry", Map.of("max_attempts", 2, "on", List.of("CANCELLED")))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("a cancel is final");
  }

  @Test
  void retryIsACoreKeySoNoPlatformReportsItUnused() {
    JobConfigValidator rules =
        new JobConfigValidator() {
          @Override
          public java.util.Set<String> supportedKeys() {
            return java.util.Set.of("job_name");
          }

          @Override
          public void validate(JobConfig config, dev.kindling.core.error.Problems problems) {}
        };
    JobConfig c =
        JobConfig.builder().jobName("j").retry(RunRetry.attempts(2, Duration.ofSeconds(1))).build();
    JobConfig bad =
        JobConfig.builder()
            .jobName("j")
            .retry(
                new RunRetry(
                    0, Duration.ofSeconds(2), Duration.ofSeconds(1), 0.5, java.util.Set.of()))
            .build();

    assertThat(JobConfigs.validate(c, rules, "job config")).isEmpty();
    assertThat(JobConfigs.validate(bad, rules, "job config"))
        .extracting(p -> p.location())
        .contains(
            "job config: retry.max_attempts",
            "job config: retry.backoff.max",
            "job config: retry.backoff.multiplier",
            "job config: retry.on");
  }
}
