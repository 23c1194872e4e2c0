package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kindling schedule ...} from the packaged jar against a Fabric emulator, and on local. */
class ScheduleCliE2E {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path work;
  @TempDir Path data;
  private FabricEmulator emulator;
  private Cli cli;

  @BeforeEach
  void setUp() throws Exception {
    assertThat(Cli.JAR).as("the CLI jar (run `./mvnw verify`)").exists();
    emulator = FabricEmulator.start(EmulatorOptions.in(data));
    Files.writeString(work.resolve("kindling.yaml"), yaml(emulator.target()));
    cli = new Cli(home, work);
  }

  @AfterEach
  void tearDown() {
    try {
      assertThat(emulator.specViolations()).as("requests outside the Fabric spec").isEmpty();
    } finally {
      emulator.close();
    }
  }

  private static String yaml(Map<String, Object> target) throws Exception {
    return "targets:\n  fabric-emu: " + JSON.writeValueAsString(target) + "\n";
  }

  @Test
  void setShowPauseResumeRemoveByJobName() throws Exception {
    String hello = Cli.REPO.resolve("examples/hello-python").toString();
    Cli.Result d = cli.run("deploy", hello, "-t", "fabric-emu", "-o", "json");
    assertThat(d.exit()).as(d.all()).isZero();
    String jobId = JSON.readTree(d.out()).get("job_id").asText();

    Cli.Result set =
        cli.run(
            "schedule",
            "set",
            "-t",
            "fabric-emu",
            "--job",
            "hello-python",
            "--cron",
            "0 6 * * MON-FRI",
            "--zone",
            "Europe/London",
            "--start",
            "2026-12-01");
    assertThat(set.exit()).as(set.all()).isZero();
    assertThat(set.out())
        .contains(
            "job "
                + jobId
                + " scheduled: cron \"0 6 * * MON,TUE,WED,THU,FRI\" in Europe/London from"
                + " 2026-12-01T00:00:00Z")
        .contains("Fabric Weekly on Monday, Tuesday, Wednesday, Thursday, Friday at 06:00");
    assertThat(emulator.schedules(jobId)).hasSize(1);

    Cli.Result show = cli.run("schedule", "show", "-t", "fabric-emu", "--job", jobId, "-o", "json");
    assertThat(show.exit()).as(show.all()).isZero();
    JsonNode json = JSON.readTree(show.out());
    assertThat(json.get("scheduled").asBoolean()).isTrue();
    assertThat(json.get("enabled").asBoolean()).isTrue();
    assertThat(json.get("schedule").get("cron").asText()).isEqualTo("0 6 * * MON,TUE,WED,THU,FRI");
    assertThat(json.get("schedule").get("start").asText()).isEqualTo("2026-12-01T00:00:00Z");
    assertThat(json.get("definition").get("configuration").get("localTimeZoneId").asText())
        .isEqualTo("GMT Standard Time");

    Cli.Result pause = cli.run("schedule", "pause", "-t", "fabric-emu", "--job", "hello-python");
    assertThat(pause.exit()).as(pause.all()).isZero();
    assertThat(pause.out()).contains("paused").contains("(paused)");
    assertThat(emulator.schedules(jobId).get(0).get("enabled").asBoolean()).isFalse();

    Cli.Result resume = cli.run("schedule", "resume", "-t", "fabric-emu", "--job", "hello-python");
    assertThat(resume.exit()).as(resume.all()).isZero();
    assertThat(emulator.schedules(jobId).get(0).get("enabled").asBoolean()).isTrue();

    Cli.Result remove =
        cli.run("schedule", "remove", "-t", "fabric-emu", "--job", "hello-python", "-o", "json");
    assertThat(remove.exit()).as(remove.all()).isZero();
    assertThat(JSON.readTree(remove.out()).get("removed").asBoolean()).isTrue();
    assertThat(emulator.schedules(jobId)).isEmpty();

    Cli.Result none = cli.run("schedule", "show", "-t", "fabric-emu", "--job", "hello-python");
    assertThat(none.out()).contains("has no schedule");
    Cli.Result pauseNone =
        cli.run("schedule", "pause", "-t", "fabric-emu", "--job", "hello-python");
    assertThat(pauseNone.exit()).isEqualTo(2);
    assertThat(pauseNone.err()).contains("has no schedule to pause");
  }

  @Test
  void badInputIsReportedAllAtOnceBeforeAnyCall() throws Exception {
    Cli.Result r =
        cli.run(
            "schedule",
            "set",
            "-t",
            "fabric-emu",
            "--job",
            "x",
            "--cron",
            "0 25 * *",
            "--every",
            "10s",
            "--zone",
            "Mars/Olympus");
    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err())
        .contains("has 4 fields, not 5")
        .contains("both `cron` and `every`")
        .contains("`every` is `10s`")
        .contains("unknown time zone `Mars/Olympus`");
    assertThat(emulator.journal().isEmpty()).isTrue();

    Cli.Result unknown =
        cli.run("schedule", "set", "-t", "fabric-emu", "--job", "nope", "--every", "1h");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("no job with id or name `nope`");
  }

  @Test
  void localSaysItCannotSchedule() throws Exception {
    String hello = Cli.REPO.resolve("examples/hello-python").toString();
    Cli.Result d = cli.run("deploy", hello, "-t", "local");
    assertThat(d.exit()).as(d.all()).isZero();
    Cli.Result r =
        cli.run("schedule", "set", "-t", "local", "--job", "hello-python", "--every", "1h");
    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err())
        .contains("platform local cannot schedule jobs")
        .contains("docs/scheduling.md");
  }
}
