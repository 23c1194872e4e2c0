package dev.kindling.testkit.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.RunHandle;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java word count on a Spark standalone cluster: a master and a worker started on loopback from
 * the resolved Spark jars, and the local platform with {@code master: spark://127.0.0.1:PORT}.
 * Without SPARK_HOME the platform submits with Spark's own SparkSubmit class from the same jars;
 * the executor runs in a JVM the worker starts. Skipped when the cluster cannot start in time.
 */
class SparkStandaloneIT {
  @TempDir static Path dir;
  static StandaloneSparkCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Assumptions.assumeTrue(
        System.getenv("SPARK_HOME") == null,
        "SPARK_HOME is set: the local platform would submit with that installation's spark-submit");
    assertThat(SparkWordCountLocalTest.SPARK_CLASSPATH).exists();
    StringBuilder why = new StringBuilder();
    cluster =
        StandaloneSparkCluster.start(
                SparkWordCountLocalTest.SPARK_CLASSPATH,
                Files.createDirectories(dir.resolve("cluster")),
                2,
                Duration.ofSeconds(90),
                why)
            .orElse(null);
    Assumptions.assumeTrue(cluster != null, () -> "no standalone cluster: " + why);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theWordCountRunsOnTheClustersExecutor() throws Exception {
    assertThat(cluster.masterUrl()).matches("spark://127\\.0\\.0\\.1:\\d+");
    Path output = dir.resolve("counts");
    try (Kindling kindling =
        Kindling.forTarget(
            new TargetConfig(
                "standalone",
                "local",
                Map.of(
                    "workspace_dir", dir.resolve("ws").toString(),
                    "spark_classpath", SparkWordCountLocalTest.SPARK_CLASSPATH.toString(),
                    "master", cluster.masterUrl(),
                    "spark_conf",
                        Map.of(
                            "spark.ui.enabled", "false",
                            "spark.executor.memory", "512m",
                            "spark.sql.shuffle.partitions", "4")),
                null,
                null))) {
      DataAppDeployer deployer = kindling.deployer();
      String job =
          deployer.deployAsJob(SparkWordCountLocalTest.APP, JobConfig.builder().build()).jobId();
      var run = deployer.start(job, Map.of("output", output.toString()));
      // a run still going at the deadline is cancelled, so its driver does not outlive the test
      JobStatus status = run.await(Duration.ofMinutes(5), RunHandle.OnTimeout.CANCEL);
      RunLogs logs = run.logs();

      assertThat(status.state()).as("%s\n%s", status, logs.output()).isEqualTo(RunState.SUCCEEDED);
      assertThat(logs.output())
          .contains("top 10 words:", "app\t5", "the\t5", "wrote 31 word counts")
          .contains("Connecting to master " + cluster.masterUrl());
      assertThat(output.resolve("_SUCCESS")).exists();
    }
    // the work ran on an executor the worker started: it fetched the app jar and logged there
    List<Path> executors;
    try (Stream<Path> s = Files.walk(cluster.workDir(), 2)) {
      executors = s.filter(p -> p.getParent().getFileName().toString().startsWith("app-")).toList();
    }
    assertThat(executors).isNotEmpty();
    assertThat(executors.get(0).resolve("spark-wordcount-java.jar")).exists();
    assertThat(Files.readString(executors.get(0).resolve("stderr")))
        .contains("CoarseGrainedExecutorBackend")
        .contains("127.0.0.1");
  }
}
