package dev.kindling.testkit.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java word count on {@code platform: local}: real Spark ({@code local[*]}) in a child JVM, on
 * the class path kindling-local-spark's build resolved; result.json written by the runner.
 */
class SparkWordCountLocalTest {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path APP = REPO.resolve("examples/spark-wordcount-java");
  static final Path SPARK_CLASSPATH =
      REPO.resolve("kindling-local-spark/target/spark-classpath.txt");

  @TempDir static Path workspace;
  static Kindling kindling;
  static DataAppDeployer deployer;
  static String jobId;

  @BeforeAll
  static void deploy() {
    assertThat(APP.resolve("lib/spark-wordcount-java.jar")).as("built by the example").exists();
    assertThat(SPARK_CLASSPATH).as("written by the kindling-local-spark build").exists();
    kindling =
        Kindling.forTarget(
            new TargetConfig(
                "local",
                "local",
                Map.of(
                    "workspace_dir", workspace.toString(),
                    "spark_classpath", SPARK_CLASSPATH.toString()),
                null,
                null));
    deployer = kindling.deployer();
    jobId = deployer.deployAsJob(APP, JobConfig.builder().build()).jobId();
  }

  @AfterAll
  static void close() {
    kindling.close();
  }

  @Test
  void countsTheSampleWordsPrintsTheTopTenAndWritesParquet(@TempDir Path out) throws Exception {
    Path output = out.resolve("counts");
    var run = deployer.start(jobId, Map.of("output", output.toString()));
    JobStatus status = run.await(Duration.ofMinutes(5));
    RunLogs logs = run.logs();

    assertThat(status.state()).as("%s\n%s", status, logs.output()).isEqualTo(RunState.SUCCEEDED);
    assertThat(logs.output()).contains("top 10 words:", "app\t5", "the\t5", "wrote 31 word counts");
    assertThat(logs.resultJson())
        .hasValueSatisfying(r -> assertThat(r).contains("\"runtime\" : \"jvm\""));
    assertThat(output.resolve("_SUCCESS")).exists();
    try (var files = Files.list(output)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".parquet"));
    }
  }

  @Test
  void aFailingJobIsFailedWithTheErrorFromResultJson() {
    var run = deployer.start(jobId, Map.of("input", workspace.resolve("missing.txt").toString()));
    JobStatus status = run.await(Duration.ofMinutes(5));

    assertThat(status.state()).isEqualTo(RunState.FAILED);
    assertThat(status.error()).hasValueSatisfying(e -> assertThat(e).contains("missing.txt"));
    assertThat(run.logs().resultJson().orElseThrow())
        .contains("\"traceback\"", "\"exit_code\" : 1");
  }
}
