package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real Synapse workspace; skipped unless these are set:
 *
 * <ul>
 *   <li>{@code KINDLING_SYNAPSE_WORKSPACE}: the workspace name, or its dev endpoint URL
 *   <li>{@code KINDLING_SYNAPSE_POOL}: a Spark pool of it
 *   <li>{@code KINDLING_SYNAPSE_ARTIFACTS_PATH}: {@code
 *       abfss://fs@account.dfs.core.windows.net/dir} on its primary storage (the principal needs
 *       Storage Blob Data Contributor)
 * </ul>
 *
 * Credentials come from the Azure Identity default chain (environment, managed identity, Azure
 * CLI). Run with {@code ./mvnw -pl kindling-synapse verify -Dit.test=SynapseLiveIT}.
 */
class SynapseLiveIT {
  @TempDir Path app;
  private TargetConfig target;

  @BeforeEach
  void target() {
    String ws = System.getenv("KINDLING_SYNAPSE_WORKSPACE");
    String pool = System.getenv("KINDLING_SYNAPSE_POOL");
    String artifacts = System.getenv("KINDLING_SYNAPSE_ARTIFACTS_PATH");
    assumeTrue(
        ws != null && pool != null && artifacts != null,
        "set KINDLING_SYNAPSE_WORKSPACE, KINDLING_SYNAPSE_POOL and KINDLING_SYNAPSE_ARTIFACTS_PATH");
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put(ws.startsWith("http") ? "workspace_url" : "workspace_name", ws);
    settings.put("spark_pool_name", pool);
    settings.put("artifacts_path", artifacts);
    target = new TargetConfig("live", "synapse", settings, AuthConfig.defaults(), null);
  }

  @Test
  void deploysRunsAndReadsTheLogsOfARealJob() throws Exception {
    Files.writeString(app.resolve("app.yaml"), "name: kindling-live-it\nversion: 1.0.0\n");
    Files.writeString(
        app.resolve("app.py"), "import sys\nprint('live greeting', ' '.join(sys.argv[1:]))\n");

    try (Kindling k = Kindling.forTarget(target)) {
      DataAppDeployer d = k.deployer();
      DeploymentResult deployed =
          d.deployAsJob(app, JobConfig.fromMap(Map.of("job_name", "kindling_live_it")));
      String runId = d.runJob(deployed.jobId(), Map.of("greeting", "from-it"));
      JobStatus end = d.awaitRun(runId, Duration.ofMinutes(30));

      assertThat(end.state()).as(end.toString()).isEqualTo(RunState.SUCCEEDED);
      assertThat(d.logs(runId).resultJson()).isPresent();
      assertThat(d.deleteJob(deployed.jobId())).isTrue();
    }
  }
}
