package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SynapseSettingsTest {
  private static TargetConfig target(Map<String, Object> settings) {
    return new TargetConfig("dev", "synapse", settings, AuthConfig.defaults(), null);
  }

  private static List<Problem> problems(TargetConfig t) {
    Problems p = new Problems();
    new SynapsePlatformProvider().validateTarget(t, p);
    return p.asList();
  }

  @Test
  void theDevEndpointIsDerivedFromTheWorkspaceNameWithDefaults() {
    SynapseSettings s =
        SynapseSettings.from(
            target(
                Map.of(
                    "workspace_name", "myws",
                    "spark_pool_name", "small",
                    "artifacts_path", "abfss://data@acct.dfs.core.windows.net/kindling/")));

    assertThat(s.workspaceUrl()).isEqualTo(URI.create("https://myws.dev.azuresynapse.net"));
    assertThat(s.sparkPoolName()).isEqualTo("small");
    assertThat(s.artifactsPath().filesystem()).isEqualTo("data");
    assertThat(s.artifactsPath().account()).isEqualTo("acct");
    assertThat(s.artifactsPath().path()).isEqualTo("kindling");
    assertThat(s.artifactsPath().resolve("data-apps/x"))
        .isEqualTo("abfss://data@acct.dfs.core.windows.net/kindling/data-apps/x");
    assertThat(s.artifactsPath().dfsEndpoint())
        .isEqualTo(URI.create("https://acct.dfs.core.windows.net"));
    assertThat(s.storageUrl()).isEmpty();
    assertThat(s.livyApiVersion()).isEqualTo("2019-11-01-preview");
  }

  @Test
  void poolAndArtifactsMayComeFromTheJobKeysWhereKindlingYamlFilesThem() {
    JobConfig defaults =
        JobConfig.fromMap(
            Map.of(
                "spark_pool_name", "pool1",
                "artifacts_path", "abfss://data@emulator.dfs.core.windows.net/k"));
    TargetConfig t =
        new TargetConfig(
            "dev",
            "synapse",
            Map.of(
                "workspace_url", "http://127.0.0.1:1234/", "storage_url", "http://127.0.0.1:1234"),
            AuthConfig.defaults(),
            defaults);

    assertThat(problems(t)).isEmpty();
    SynapseSettings s = SynapseSettings.from(t);
    assertThat(s.workspaceUrl()).isEqualTo(URI.create("http://127.0.0.1:1234"));
    assertThat(s.storageUrl()).isEqualTo(Optional.of(URI.create("http://127.0.0.1:1234")));
    assertThat(s.sparkPoolName()).isEqualTo("pool1");
  }

  @Test
  void everyProblemIsReportedAtOnceWithItsKey() {
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("workspace_url", "ftp://x");
    bad.put("spark_pool_name", "my-pool");
    bad.put("artifacts_path", "https://acct.blob.core.windows.net/x");
    bad.put("livy_api_version", "2021-01-01");
    bad.put("storage_url", "nope");

    List<Problem> found = problems(target(bad));

    assertThat(found)
        .extracting(Problem::location)
        .containsExactlyInAnyOrder(
            "targets.dev.workspace_url",
            "targets.dev.spark_pool_name",
            "targets.dev.artifacts_path",
            "targets.dev.livy_api_version",
            "targets.dev.storage_url");
  }

  @Test
  void missingRequiredSettingsAreNamed() {
    List<Problem> found = problems(target(Map.of()));

    assertThat(found)
        .extracting(Problem::message)
        .anyMatch(m -> m.contains("workspace_name"))
        .anyMatch(m -> m.contains("spark_pool_name"))
        .anyMatch(m -> m.contains("artifacts_path"));
  }

  @Test
  void abfssPathsAreParsedStrictly() {
    assertThat(AbfssPath.tryParse("abfss://data@acct.dfs.core.windows.net")).isPresent();
    assertThat(AbfssPath.tryParse("abfss://data@acct.dfs.core.windows.net/a/b").get().path())
        .isEqualTo("a/b");
    assertThat(AbfssPath.tryParse("abfss://@acct.dfs.core.windows.net/a")).isEmpty();
    assertThat(AbfssPath.tryParse("abfss://data@acct.dfs.core.windows.net/a/../b")).isEmpty();
    assertThat(AbfssPath.tryParse("abfs://fs@acct.dfs.core.windows.net/a")).isEmpty();
  }
}
