package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.time.ManualScheduler;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Spark job definition body, without a network. */
class SynapseDefinitionTest {
  private static final String ROOT = "abfss://data@acct.dfs.core.windows.net/k";

  private static SynapsePlatformService service() {
    SynapseSettings settings =
        SynapseSettings.from(
            new TargetConfig(
                "t",
                "synapse",
                Map.of("workspace_name", "ws", "spark_pool_name", "pool1", "artifacts_path", ROOT),
                AuthConfig.defaults(),
                null));
    return new SynapsePlatformService(
        settings,
        () -> {
          throw new AssertionError("no client needed");
        },
        () -> {
          throw new AssertionError("no store needed");
        },
        new ManualScheduler(),
        Clock.systemUTC(),
        SynapsePlatformService.Options.defaults());
  }

  @Test
  void aJvmAppRunsItsJarsMainClassWithTheOtherJarsAndKeyValueArguments() {
    AppFiles app =
        new AppFiles(
            "etl",
            "2.0",
            AppFiles.Runtime.JVM,
            List.of(),
            Optional.empty(),
            Optional.of("com.example.Main"),
            Optional.of("etl.jar"),
            List.of("lib/dep.jar"),
            "etl.jar",
            Map.of(),
            null);
    Release release =
        new Release(
            "etl",
            "0123456789abcdef",
            "data-apps/etl/releases/0123456789abcdef.json",
            Map.of(
                "etl.jar", "data-apps/etl/blobs/aa/etl.jar",
                "lib/dep.jar", "data-apps/etl/blobs/bb/dep.jar"),
            2,
            2,
            10);

    ObjectNode d =
        service()
            .definition(
                "etl_job",
                "pool1",
                app,
                release,
                JobConfig.fromMap(Map.of("parameters", Map.of("day", "2026-11-27"))));

    JsonNode job = d.path("properties").path("jobProperties");
    assertThat(d.path("properties").path("language").asText()).isEqualTo("scala");
    assertThat(job.path("className").asText()).isEqualTo("com.example.Main");
    assertThat(job.path("file").asText()).isEqualTo(ROOT + "/data-apps/etl/blobs/aa/etl.jar");
    assertThat(job.path("jars").get(0).asText())
        .isEqualTo(ROOT + "/data-apps/etl/blobs/bb/dep.jar");
    assertThat(job.path("args").toString())
        .contains("config:kindling.release=0123456789abcdef")
        .contains("\"day=2026-11-27\"");
    // and the run reads the defaults back from those arguments
    SynapsePlatformService.DeployedArgs back =
        SynapsePlatformService.DeployedArgs.read(job.path("args"));
    assertThat(back.app()).isEqualTo("etl");
    assertThat(back.release()).isEqualTo("0123456789abcdef");
    assertThat(back.parameters()).containsExactly(Map.entry("day", "2026-11-27"));
  }
}
