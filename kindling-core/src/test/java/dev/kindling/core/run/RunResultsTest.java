package dev.kindling.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.KindlingException;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunResultsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T02:10:00Z");
  private static final Instant T1 = Instant.parse("2026-11-27T02:12:00Z");

  private static JobStatus status(RunState state) {
    return new JobStatus(
        "run-1",
        state,
        "platform-" + state,
        Optional.of(T0),
        Optional.of(T1),
        state == RunState.FAILED ? Optional.of("platform says failed") : Optional.empty(),
        Optional.empty());
  }

  @Test
  void parsesEveryFieldTheShimWrites() {
    String json =
        """
        {"kindling_result": 1, "app": "hello", "release": "3f2a9c0d1e4b5a69",
         "run_tag": "20261127T021000Z-1a2b3c4d", "state": "SUCCEEDED", "exit_code": 0,
         "start": "2026-11-27T02:10:01Z", "end": "2026-11-27T02:10:03Z",
         "error": null, "traceback": null, "output_tail": ["a", "b"],
         "result": {"rows": 42, "names": ["x", "y"]}}
        """;

    RunResult r = RunResults.parse(status(RunState.SUCCEEDED), Optional.of(json));

    assertThat(r.resultWritten()).isTrue();
    assertThat(r.state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(r.exitState()).isEqualTo("SUCCEEDED");
    assertThat(r.exitCode()).hasValue(0);
    assertThat(r.error()).isEmpty();
    assertThat(r.traceback()).isEmpty();
    assertThat(r.outputTail()).containsExactly("a", "b");
    assertThat(r.value().get().path("rows").asInt()).isEqualTo(42);
    assertThat(r.valueJson()).isEqualTo("{\"rows\":42,\"names\":[\"x\",\"y\"]}");
    assertThat(r.app()).contains("hello");
    assertThat(r.release()).contains("3f2a9c0d1e4b5a69");
    assertThat(r.start()).contains(Instant.parse("2026-11-27T02:10:01Z"));
    assertThat(r.end()).contains(Instant.parse("2026-11-27T02:10:03Z"));
    assertThat(r.toString()).contains("value: {\"rows\":42");
  }

  @Test
  void aFailureKeepsTheErrorAndTraceback() {
    String json =
        """
        {"state": "FAILED", "exit_code": 1, "error": "ValueError: boom",
         "traceback": "Traceback (most recent call last):\\n  File \\"app.py\\"\\nValueError: boom\\n",
         "output_tail": "line 1\\nline 2"}
        """;

    RunResult r = RunResults.parse(status(RunState.FAILED), Optional.of(json));

    assertThat(r.exitCode()).hasValue(1);
    assertThat(r.error()).contains("ValueError: boom");
    assertThat(r.traceback().get()).contains("app.py");
    assertThat(r.outputTail()).containsExactly("line 1", "line 2");
    assertThat(r.value()).isEmpty();
    assertThat(r.valueJson()).isEqualTo("null");
  }

  @Test
  void olderAndPartialFilesFallBackToThePlatformStatus() {
    RunResult r =
        RunResults.parse(status(RunState.FAILED), Optional.of("{\"kindling_result\": 1}"));

    assertThat(r.resultWritten()).isTrue();
    assertThat(r.exitState()).isEqualTo("FAILED");
    assertThat(r.exitCode()).isEmpty();
    assertThat(r.error()).contains("platform says failed");
    assertThat(r.start()).contains(T0);
    assertThat(r.end()).contains(T1);
    assertThat(r.outputTail()).isEmpty();
  }

  @Test
  void noResultFileGivesTheStatusAlone() {
    RunResult r = RunResults.parse(status(RunState.CANCELLED), Optional.empty());

    assertThat(r.resultWritten()).isFalse();
    assertThat(r.state()).isEqualTo(RunState.CANCELLED);
    assertThat(r.exitState()).isEqualTo("CANCELLED");
    assertThat(r.exitCode()).isEmpty();
    assertThat(r.start()).contains(T0);
  }

  @Test
  void corruptJsonIsAClearError() {
    assertThatThrownBy(
            () -> RunResults.parse(status(RunState.SUCCEEDED), Optional.of("{\"state\": \"SUCC")))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("result.json of run run-1 is not valid JSON")
        .hasMessageContaining("see the run's logs");
    assertThatThrownBy(() -> RunResults.parse(status(RunState.SUCCEEDED), Optional.of("[1, 2]")))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void theOutputTailIsBounded() {
    StringBuilder json = new StringBuilder("{\"output_tail\": [");
    for (int i = 0; i < 500; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(i == 499 ? "x".repeat(9000) : "l" + i);
      json.append('"');
    }
    json.append("]}");

    RunResult r = RunResults.parse(status(RunState.SUCCEEDED), Optional.of(json.toString()));

    assertThat(r.outputTail()).hasSize(RunResults.MAX_TAIL_LINES);
    assertThat(r.outputTail().get(0)).isEqualTo("l300");
    assertThat(r.outputTail().get(199)).hasSize(RunResults.MAX_LINE_CHARS + 3).endsWith("...");
  }

  @Test
  void anOversizedValueIsDroppedWithTheReason() {
    String big = "\"" + "y".repeat(RunResults.MAX_VALUE_BYTES + 1) + "\"";
    RunResult r =
        RunResults.parse(status(RunState.SUCCEEDED), Optional.of("{\"result\": " + big + "}"));

    assertThat(r.value()).isEmpty();
    assertThat(r.valueError().get()).contains("over the 64 KiB limit");
  }

  @Test
  void theShimsValueErrorIsKept() {
    RunResult r =
        RunResults.parse(
            status(RunState.SUCCEEDED),
            Optional.of("{\"result_error\": \"module-level result: the value is not JSON\"}"));

    assertThat(r.value()).isEmpty();
    assertThat(r.valueError()).contains("module-level result: the value is not JSON");
  }

  @Test
  void errorAndTailHelpersAreTolerant() {
    assertThat(RunResults.error("{\"error\": \"E: x\"}")).contains("E: x");
    assertThat(RunResults.error("{\"error\": null}")).isEmpty();
    assertThat(RunResults.error("not json")).isEmpty();
    assertThat(RunResults.outputTail("{\"output_tail\": [\"a\", \"b\", \"c\"]}", 2))
        .isEqualTo("b\nc");
    assertThat(RunResults.outputTail("garbage", 2)).isEmpty();
  }
}
