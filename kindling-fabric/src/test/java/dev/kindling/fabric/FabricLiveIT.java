package dev.kindling.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.SystemScheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Against a real Fabric workspace. Skipped unless these are set:
 *
 * <ul>
 *   <li>{@code KINDLING_FABRIC_WORKSPACE_ID}, {@code KINDLING_FABRIC_LAKEHOUSE_ID} (GUIDs);
 *   <li>optionally {@code KINDLING_FABRIC_ENVIRONMENT_ID};
 *   <li>{@code KINDLING_FABRIC_AUTH}: {@code default} (the default: DefaultAzureCredential, e.g.
 *       after {@code az login}), {@code azure_cli}, or {@code client_secret} with {@code
 *       AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} and {@code AZURE_CLIENT_SECRET}.
 * </ul>
 *
 * <p>Run: {@code KINDLING_FABRIC_WORKSPACE_ID=… KINDLING_FABRIC_LAKEHOUSE_ID=… ./mvnw -pl
 * kindling-fabric -am verify -Dit.test=FabricLiveIT}. It deploys {@code examples/hello-python} as a
 * uniquely named Spark Job Definition, runs it with a parameter, waits (Spark start-up on a starter
 * pool takes minutes), checks the result and the logs, and deletes the item again.
 */
class FabricLiveIT {
  private static String env(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? null : v;
  }

  @Test
  void deployRunAndReadLogsOnARealWorkspace() {
    String ws = env("KINDLING_FABRIC_WORKSPACE_ID");
    String lh = env("KINDLING_FABRIC_LAKEHOUSE_ID");
    assumeTrue(ws != null && lh != null, "KINDLING_FABRIC_WORKSPACE_ID/LAKEHOUSE_ID not set");

    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("workspace_id", ws);
    settings.put("lakehouse_id", lh);
    Optional.ofNullable(env("KINDLING_FABRIC_ENVIRONMENT_ID"))
        .ifPresent(e -> settings.put("environment_id", e));
    String method = Optional.ofNullable(env("KINDLING_FABRIC_AUTH")).orElse("default");
    AuthConfig auth =
        switch (method) {
          case "azure_cli" ->
              new AuthConfig(AuthConfig.Method.AZURE_CLI, null, null, null, null, null, null);
          case "client_secret" ->
              new AuthConfig(
                  AuthConfig.Method.CLIENT_SECRET,
                  null,
                  null,
                  Optional.ofNullable(env("AZURE_TENANT_ID")),
                  Optional.ofNullable(env("AZURE_CLIENT_ID")),
                  Optional.ofNullable(env("AZURE_CLIENT_SECRET")).map(Secret::of),
                  null);
          default -> AuthConfig.defaults();
        };
    FabricPlatformService service =
        new FabricPlatformService(
            FabricSettings.from(new TargetConfig("live", "fabric", settings, auth, null)),
            Clock.systemUTC(),
            SystemScheduler.get());
    String job = "kindling-it-" + UUID.randomUUID().toString().substring(0, 8);
    Path app =
        Path.of(System.getProperty("kindling.repo.root", "..")).resolve("examples/hello-python");

    try (Kindling kindling = Kindling.withPlatform(service, new FabricJobRules())) {
      DeploymentResult d =
          kindling.deployer().deployAsJob(app, JobConfig.builder().jobName(job).build());
      try {
        String runId = service.runSparkJob(d.jobId(), Map.of("name", "live"));
        JobStatus end = kindling.deployer().awaitRun(runId, Duration.ofMinutes(20));
        assertThat(end.state()).as(end.toString()).isEqualTo(RunState.SUCCEEDED);
        assertThat(service.logs(runId).resultJson()).isPresent();
        assertThat(service.listJobs()).anyMatch(j -> j.name().equals(job));
      } finally {
        service.deleteJob(d.jobId());
      }
    }
  }
}
