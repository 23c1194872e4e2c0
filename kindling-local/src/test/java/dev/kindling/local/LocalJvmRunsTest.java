package dev.kindling.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JVM apps on the local platform without Spark: settings, errors, and the {@code spark-submit}
 * command line for cluster masters (a stand-in {@code spark-submit} prints its arguments). Real
 * Spark runs are in kindling-testkit-tests ({@code SparkWordCountLocalTest}).
 */
class LocalJvmRunsTest {
  @TempDir Path dir;

  private Kindling kindling(Map<String, Object> settings) {
    Map<String, Object> s = new LinkedHashMap<>(settings);
    s.put("workspace_dir", dir.resolve("ws").toString());
    return Kindling.forTarget(new TargetConfig("local", "local", s, null, null));
  }

  private Path jvmApp() throws Exception {
    Path app = Files.createDirectories(dir.resolve("jvm-app"));
    Files.writeString(
        app.resolve("app.yaml"),
        "name: jvm-app\nruntime: jvm\nentry_point: app.jar\nmain_class: com.example.Main\n");
    Files.write(app.resolve("app.jar"), new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0});
    return app;
  }

  @Test
  void theMasterDefaultsToLocalAndUnknownMastersAreRejected() {
    assertThat(LocalSettings.from(TargetConfig.local()).master()).isEqualTo("local[*]");
    assertThat(LocalSettings.from(TargetConfig.local()).localMaster()).isTrue();

    assertThatThrownBy(() -> kindling(Map.of("master", "mesos://host:5050")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("master")
        .hasMessageContaining("spark://HOST:PORT");
  }

  @Test
  void aJvmRunWithoutSparksClassPathSaysHowToBuildIt() throws Exception {
    try (Kindling k = kindling(Map.of("spark_classpath", dir.resolve("missing.txt").toString()))) {
      String job = k.deployer().deployAsJob(jvmApp(), JobConfig.builder().build()).jobId();

      assertThatThrownBy(() -> k.deployer().runJob(job, Map.of()))
          .isInstanceOf(KindlingException.class)
          .hasMessageContaining("kindling-local-spark");
    }
  }

  @Test
  void aClusterMasterSubmitsWithSparkSubmitInClientMode() throws Exception {
    Path classpath = dir.resolve("spark/spark-classpath.txt");
    Path runner = dir.resolve("spark/classes/dev/kindling/local/spark/KindlingJvmRunner.class");
    Files.createDirectories(runner.getParent());
    Files.write(runner, new byte[0]);
    Files.writeString(classpath, "");
    Path submit = dir.resolve("spark-home/bin/spark-submit");
    Files.createDirectories(submit.getParent());
    Files.writeString(submit, "#!/bin/sh\nfor a in \"$@\"; do echo \"ARG $a\"; done\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (Kindling k =
        kindling(
            Map.of(
                "master", "spark://127.0.0.1:7077",
                "spark_home", dir.resolve("spark-home").toString(),
                "spark_classpath", classpath.toString(),
                "spark_conf", Map.of("spark.executor.memory", "2g")))) {
      String job = k.deployer().deployAsJob(jvmApp(), JobConfig.builder().build()).jobId();
      var run = k.deployer().start(job, Map.of("day", "monday"));
      JobStatus status = run.await(Duration.ofSeconds(30));
      String out = run.logs().output();

      // the stand-in wrote no result.json: the run counts as failed
      assertThat(status.state()).isEqualTo(RunState.FAILED);
      assertThat(out)
          .contains(
              "ARG --master\nARG spark://127.0.0.1:7077\nARG --deploy-mode\nARG client",
              "ARG --class\nARG dev.kindling.local.spark.KindlingJvmRunner",
              "ARG com.example.Main",
              "ARG config:app_name=jvm-app",
              "ARG day=monday",
              "ARG --conf\nARG spark.executor.memory=2g",
              // a master on loopback keeps the driver on loopback
              "ARG --conf\nARG spark.driver.host=127.0.0.1")
          .containsPattern("ARG .*/data-apps/jvm-app/blobs/[0-9a-f]+/app.jar")
          .contains("ARG " + dir.resolve("spark/classes"));
    }
  }

  @Test
  void sparkConfMustBeSparkPropertiesWithoutSecrets() {
    Map<String, Object> conf = new LinkedHashMap<>();
    conf.put("executor.memory", "2g");
    conf.put("spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net", "c2VjcmV0");
    conf.put("spark.executor.cores", 2);

    assertThatThrownBy(() -> kindling(Map.of("spark_conf", conf)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("targets.local.spark_conf.executor.memory")
        .hasMessageContaining("is not a Spark property")
        .hasMessageContaining("looks like a secret")
        .hasMessageNotContaining("c2VjcmV0")
        .hasMessageNotContaining("spark.executor.cores");
    assertThatThrownBy(() -> kindling(Map.of("spark_conf", "spark.executor.memory=2g")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("spark_conf")
        .hasMessageContaining("is not a mapping");
  }

  @Test
  void sparkConfValuesAreReadAsStrings() {
    LocalSettings s =
        LocalSettings.from(
            new TargetConfig(
                "local",
                "local",
                Map.of("spark_conf", Map.of("spark.sql.shuffle.partitions", 4)),
                null,
                null));
    assertThat(s.sparkConf()).containsEntry("spark.sql.shuffle.partitions", "4");
    assertThat(s.loopbackMaster()).isFalse();
  }
}
