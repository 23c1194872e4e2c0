package dev.kindling.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.cli.ExitCodes;
import dev.kindling.cli.KindlingCli;
import dev.kindling.reliability.FaultMatrixTest.Step;
import dev.kindling.reliability.Rigs.Platform;
import dev.kindling.reliability.Rigs.Rig;
import dev.kindling.testkit.emulator.Fault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CLI under a permanent platform fault (issue 7): {@code kindling deploy} and {@code kindling
 * run} exit with {@link ExitCodes#PLATFORM_ERROR} and say which step failed and what the platform
 * answered; the job still points at the previous release, which still runs. Runs the CLI in this
 * JVM against an emulator, with the emulator's own target in {@code kindling.yaml}.
 */
class CliExitCodeTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String APP = "exit-app";
  static final String JOB = "exit-job";
  static final String PLATFORM_ERROR = "injected permanent fault";

  @TempDir Path tmp;

  record Result(int exit, String out, String err) {
    String all() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  /** Runs the CLI in this JVM, capturing what it prints. */
  static synchronized Result cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = KindlingCli.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Result(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  Path app(String version) throws Exception {
    Path a = Files.createDirectories(tmp.resolve("app-" + version));
    Files.writeString(a.resolve("app.yaml"), "name: " + APP + "\nversion: 1.0.0\n");
    Files.writeString(a.resolve("app.py"), "print('hello from " + version + "')\n");
    return a;
  }

  @ParameterizedTest
  @EnumSource(Platform.class)
  void permanentFaultsExitWith5AndThePreviousReleaseStillRuns(Platform p) throws Exception {
    Rig rig = Rigs.start(p, tmp.resolve("emulator"));
    try {
      Path yaml = tmp.resolve("kindling.yaml");
      Files.writeString(yaml, "targets:\n  emu: " + JSON.writeValueAsString(rig.target()) + "\n");
      String[] target = {"-c", yaml.toString(), "-t", "emu"};

      Result v1 =
          cli(
              concat(
                  new String[] {"deploy", app("v1").toString(), "--job-name", JOB, "-o", "json"},
                  target));
      assertThat(v1.exit()).as(v1.all()).isZero();
      String jobId = JSON.readTree(v1.out()).path("job_id").asText();
      assertThat(jobId).as(v1.all()).isNotEmpty();

      // deploy: the job update fails for good
      inject(rig, Step.UPDATE_JOB);
      Result v2 =
          cli(concat(new String[] {"deploy", app("v2").toString(), "--job-name", JOB}, target));
      assertThat(v2.exit()).as(v2.all()).isEqualTo(ExitCodes.PLATFORM_ERROR);
      assertThat(FaultMatrixTest.STEP_WORDS.get(Step.UPDATE_JOB).matcher(v2.err()).find())
          .as("the message names the step: " + v2.err())
          .isTrue();
      assertThat(v2.err()).as("the message carries the platform error").contains(PLATFORM_ERROR);
      assertThat(v2.err()).doesNotContain(Rigs.TOKEN);
      rig.emulator().clearFaults();

      // run: starting it fails for good
      inject(rig, Step.SUBMIT);
      Result refused = cli(concat(new String[] {"run", jobId, "--wait"}, target));
      assertThat(refused.exit()).as(refused.all()).isEqualTo(ExitCodes.PLATFORM_ERROR);
      assertThat(FaultMatrixTest.STEP_WORDS.get(Step.SUBMIT).matcher(refused.err()).find())
          .as("the message names the step: " + refused.err())
          .isTrue();
      assertThat(refused.err()).contains(PLATFORM_ERROR).doesNotContain(Rigs.TOKEN);
      rig.emulator().clearFaults();

      // the job still runs v1
      Result run = cli(concat(new String[] {"run", jobId, "--wait", "-o", "json"}, target));
      assertThat(run.exit()).as(run.all()).isZero();
      JsonNode json = JSON.readTree(run.out());
      String runId = json.path("run_id").asText();
      assertThat(json.path("state").asText()).as(run.all()).isEqualTo("SUCCEEDED");
      Result logs = cli(concat(new String[] {"logs", runId}, target));
      assertThat(logs.exit()).as(logs.all()).isZero();
      assertThat(logs.out()).as(logs.all()).contains("hello from v1").doesNotContain("v2");
    } finally {
      rig.emulator().close();
    }
  }

  static void inject(Rig rig, Step step) {
    String[] r = FaultMatrixTest.request(rig.platform(), step, APP, JOB);
    String body =
        "{\"errorCode\":\"InjectedFault\",\"error_code\":\"INJECTED_FAULT\",\"message\":\""
            + PLATFORM_ERROR
            + "\",\"error\":{\"code\":\"InjectedFault\",\"message\":\""
            + PLATFORM_ERROR
            + "\"}}";
    // Databricks' SDK retries a 500 for seconds of real time; a refusal is as permanent
    int status = rig.platform() == Platform.DATABRICKS ? 403 : 500;
    rig.emulator()
        .inject(Fault.on(r[0], r[1]).status(status).body(body).always().named("permanent").build());
  }

  static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
