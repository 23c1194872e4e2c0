package dev.kindling.testkit.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's {@code kindling deploy examples/spark-wordcount-java -t local --run --wait}: the
 * CLI's main in a child JVM (as {@code ./kindling} runs it, with {@code KINDLING_SPARK_CLASSPATH}
 * set), real Spark in local mode, the word counts in the printed logs. Lives here rather than in
 * kindling-cli because this module is built after the example and kindling-local-spark.
 */
class SparkWordCountCliE2E {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path work;

  record Result(int exit, String out, String err) {}

  private Result cli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.kindling.cli.KindlingCli");
    cmd.addAll(List.of(args));
    Path out = work.resolve("stdout.txt");
    Path err = work.resolve("stderr.txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("KINDLING_HOME", home.toString());
    pb.environment()
        .put("KINDLING_SPARK_CLASSPATH", SparkWordCountLocalTest.SPARK_CLASSPATH.toString());
    Process p = pb.start();
    try {
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        throw new AssertionError("the CLI did not finish in 5 minutes");
      }
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void deployRunWaitPrintsTheWordCounts() throws Exception {
    Result r =
        cli(
            "deploy",
            SparkWordCountLocalTest.APP.toString(),
            "-t",
            "local",
            "--run",
            "--wait",
            "--param",
            "output=" + work.resolve("counts"));

    assertThat(r.exit()).as("%s\n%s", r.out(), r.err()).isZero();
    assertThat(r.out())
        .contains("deployed job spark-wordcount-java")
        .containsPattern("run \\S+ SUCCEEDED");
    // --wait prints the run's output (on stderr, next to the progress)
    assertThat(r.err())
        .contains("top 10 words:", "app\t5", "the\t5", "wrote 31 word counts to " + work);
    assertThat(work.resolve("counts/_SUCCESS")).exists();

    // the run is on disk: `kindling status` from another process reads it as JSON
    String runId = r.out().replaceAll("(?s).*started run (\\S+).*", "$1");
    Result status = cli("status", runId, "-t", "local", "-o", "json");
    assertThat(status.exit()).as(status.err()).isZero();
    JsonNode json = JSON.readTree(status.out());
    assertThat(json.path("state").asText()).isEqualTo("SUCCEEDED");
  }
}
