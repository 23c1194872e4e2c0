package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.NewCluster;
import dev.kindling.core.config.Secret;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deploys and runs {@code examples/hello-python} on a real Azure Databricks workspace. Skipped
 * unless these are set:
 *
 * <ul>
 *   <li>{@code DATABRICKS_HOST} — the workspace URL;
 *   <li>credentials: {@code DATABRICKS_TOKEN} (used as a PAT), or {@code
 *       KINDLING_DATABRICKS_AUTH=default} to use Databricks unified auth (a {@code
 *       ~/.databrickscfg} profile via {@code DATABRICKS_CONFIG_PROFILE}, Azure CLI, a service
 *       principal in {@code ARM_*}/{@code DATABRICKS_*} variables, a managed identity);
 *   <li>{@code KINDLING_DATABRICKS_ARTIFACTS_PATH} — a volume directory ({@code
 *       /Volumes/<catalog>/<schema>/<volume>/kindling-it}) or {@code dbfs:/...};
 *   <li>{@code KINDLING_DATABRICKS_CLUSTER_ID} — an existing cluster, or {@code
 *       KINDLING_DATABRICKS_SPARK_VERSION} and {@code KINDLING_DATABRICKS_NODE_TYPE} for a
 *       single-node cluster per run.
 * </ul>
 *
 * The job is deleted at the end unless {@code KINDLING_DATABRICKS_KEEP_JOB=true}.
 */
class DatabricksLiveIT {
  private static final String JOB = "kindling-it-hello-python";

  private TargetConfig target;

  @BeforeEach
  void requireAWorkspace() {
    String host = env("DATABRICKS_HOST");
    String token = env("DATABRICKS_TOKEN");
    boolean unified = "default".equalsIgnoreCase(env("KINDLING_DATABRICKS_AUTH"));
    String artifacts = env("KINDLING_DATABRICKS_ARTIFACTS_PATH");
    String cluster = env("KINDLING_DATABRICKS_CLUSTER_ID");
    String sparkVersion = env("KINDLING_DATABRICKS_SPARK_VERSION");
    String nodeType = env("KINDLING_DATABRICKS_NODE_TYPE");
    assumeTrue(host != null, "DATABRICKS_HOST is not set: no live Databricks test");
    assumeTrue(token != null || unified, "no Databricks credentials (DATABRICKS_TOKEN)");
    assumeTrue(artifacts != null, "KINDLING_DATABRICKS_ARTIFACTS_PATH is not set");
    assumeTrue(
        cluster != null || (sparkVersion != null && nodeType != null),
        "set KINDLING_DATABRICKS_CLUSTER_ID, or KINDLING_DATABRICKS_SPARK_VERSION and _NODE_TYPE");

    JobConfig.Builder jobs = JobConfig.builder().artifactsPath(artifacts).jobName(JOB);
    if (cluster != null) {
      jobs.clusterId(cluster);
    } else {
      jobs.newCluster(new NewCluster(sparkVersion, nodeType, 0));
    }
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("host", host);
    AuthConfig auth = unified ? AuthConfig.defaults() : AuthConfig.token(Secret.of(token));
    target = new TargetConfig("live", "databricks", settings, auth, jobs.build());
  }

  @Test
  void helloPythonDeploysRunsAndRedeploysInPlace() {
    Path app = Path.of("..", "examples", "hello-python");
    assertThat(Files.isDirectory(app)).isTrue();
    try (Kindling k = Kindling.forTarget(target)) {
      DataAppDeployer deployer = k.deployer();
      DeploymentResult first = deployer.deployAsJob(app, JobConfig.builder().build());
      try {
        String runId = deployer.runJob(first.jobId(), Map.of("name", "live"));
        JobStatus end = deployer.awaitRun(runId, Duration.ofMinutes(30));
        assertThat(end.state()).as(end.toString()).isEqualTo(RunState.SUCCEEDED);
        assertThat(deployer.logs(runId).output()).contains("Hello, live!");
        assertThat(deployer.logs(runId).resultJson()).isPresent();

        DeploymentResult second = deployer.deployAsJob(app, JobConfig.builder().build());
        assertThat(second.jobId()).isEqualTo(first.jobId());
        assertThat(deployer.listJobs())
            .filteredOn(j -> j.name().equals(JOB))
            .extracting(JobInfo::jobId)
            .containsExactly(first.jobId());
      } finally {
        if (!"true".equalsIgnoreCase(env("KINDLING_DATABRICKS_KEEP_JOB"))) {
          deployer.deleteJob(first.jobId());
        }
      }
    }
  }

  private static String env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank()).orElse(null);
  }
}
