package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigs;
import dev.kindling.core.config.KindlingConfig;
import dev.kindling.core.config.NewCluster;
import dev.kindling.core.config.Secret;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Target settings, job rules and libraries of Databricks. */
class DatabricksConfigTest {
  private final DatabricksJobRules rules = new DatabricksJobRules();

  private List<Problem> problems(JobConfig config) {
    return JobConfigs.validate(config, rules, "job config");
  }

  private static JobConfig.Builder valid() {
    return JobConfig.builder().jobName("app").clusterId("0101-000000-abc");
  }

  @Test
  void aValidConfigHasNoProblems() {
    assertThat(problems(valid().build())).isEmpty();
    assertThat(
            problems(
                JobConfig.builder()
                    .jobName("app")
                    .newCluster(new NewCluster("15.4.x-scala2.12", "Standard_DS3_v2", 0))
                    .sparkConf("spark.sql.shuffle.partitions", "8")
                    .libraries(
                        List.of(
                            "/Volumes/c/s/v/libs/x-1.0-py3-none-any.whl",
                            "dbfs:/libs/y.jar",
                            "pypi:requests==2.32.3",
                            "maven:com.example:lib:1.0",
                            "/Workspace/Shared/requirements.txt"))
                    .maxConcurrentRuns(3)
                    .timeoutSeconds(3600)
                    .artifactsPath("/Volumes/main/apps/artifacts/kindling")
                    .build()))
        .isEmpty();
  }

  @Test
  void retryMustIncludeFailedBecauseDatabricksRetriesEveryFailure() {
    var onlyTimeouts =
        dev.kindling.core.config.RunRetry.attempts(3, java.time.Duration.ofSeconds(5))
            .on(dev.kindling.core.run.RunState.TIMED_OUT);

    assertThat(problems(valid().retry(onlyTimeouts).build()))
        .extracting(Problem::location)
        .containsExactly("job config: retry.on");
    assertThat(
            problems(
                valid()
                    .retry(
                        onlyTimeouts.on(
                            dev.kindling.core.run.RunState.FAILED,
                            dev.kindling.core.run.RunState.TIMED_OUT))
                    .build()))
        .isEmpty();
  }

  @Test
  void exactlyOneOfClusterIdAndNewClusterIsRequired() {
    assertThat(problems(JobConfig.builder().jobName("app").build()))
        .extracting(Problem::message)
        .anyMatch(m -> m.contains("exactly one of `cluster_id`"));
    assertThat(
            problems(
                valid()
                    .newCluster(new NewCluster("15.4.x-scala2.12", "Standard_DS3_v2", 1))
                    .build()))
        .extracting(Problem::message)
        .anyMatch(m -> m.contains("exactly one of `cluster_id` and `new_cluster`"));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    JobConfig bad =
        JobConfig.builder()
            .newCluster(new NewCluster(" ", "", -1))
            .maxConcurrentRuns(0)
            .timeoutSeconds(-5)
            .library("requests")
            .tag("kindling", "mine")
            .artifactsPath("abfss://c@a.dfs.core.windows.net/x")
            .build();
    assertThat(problems(bad))
        .extracting(Problem::location)
        .contains(
            "job config: job_name",
            "job config: new_cluster.spark_version",
            "job config: new_cluster.node_type_id",
            "job config: new_cluster.num_workers",
            "job config: max_concurrent_runs",
            "job config: timeout_seconds",
            "job config: libraries[0]",
            "job config: tags.kindling",
            "job config: artifacts_path");
  }

  @Test
  void sparkConfNeedsANewCluster() {
    assertThat(problems(valid().sparkConf("a", "b").build()))
        .extracting(Problem::location)
        .containsExactly("job config: spark_conf");
  }

  @Test
  void artifactsRoots() {
    assertThat(ArtifactsRoot.parse("/Volumes/main/apps/vol/kindling/"))
        .contains(new ArtifactsRoot(ArtifactsRoot.Kind.VOLUME, "/Volumes/main/apps/vol/kindling"));
    assertThat(ArtifactsRoot.parse("/Volumes/main/apps/vol"))
        .contains(new ArtifactsRoot(ArtifactsRoot.Kind.VOLUME, "/Volumes/main/apps/vol"));
    assertThat(ArtifactsRoot.parse("dbfs:/kindling"))
        .contains(new ArtifactsRoot(ArtifactsRoot.Kind.DBFS, "dbfs:/kindling"));
    for (String bad :
        new String[] {
          "/Volumes/main/apps",
          "dbfs:/",
          "dbfs:kindling",
          "/tmp/x",
          "/Volumes/a/b/c/../d",
          "",
          "s3://b/x"
        }) {
      assertThat(ArtifactsRoot.parse(bad)).as(bad).isEmpty();
    }
    ArtifactsRoot dbfs = ArtifactsRoot.parse("dbfs:/k").orElseThrow();
    assertThat(dbfs.resolve("a/b")).isEqualTo("dbfs:/k/a/b");
    assertThat(dbfs.apiPath("a/b")).isEqualTo("/k/a/b");
  }

  private static TargetConfig target(
      Map<String, Object> settings, AuthConfig auth, JobConfig jobs) {
    return new TargetConfig("dbx", "databricks", settings, auth, jobs);
  }

  @Test
  void settingsReadHostArtifactsPathAndPollInterval() {
    DatabricksSettings s =
        DatabricksSettings.from(
            target(
                Map.of("host", "adb-1.2.azuredatabricks.net/", "poll_interval", "500ms"),
                AuthConfig.defaults(),
                JobConfig.builder().artifactsPath("dbfs:/kindling").build()));
    assertThat(s.host()).isEqualTo("https://adb-1.2.azuredatabricks.net");
    assertThat(s.artifactsRoot().kind()).isEqualTo(ArtifactsRoot.Kind.DBFS);
    assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void targetProblemsAreReportedTogether() {
    Problems problems = new Problems();
    new DatabricksPlatformProvider()
        .validateTarget(
            target(Map.of("poll_interval", "soon"), AuthConfig.none(), JobConfig.builder().build()),
            problems);
    assertThat(problems.asList())
        .extracting(Problem::location)
        .containsExactlyInAnyOrder(
            "kindling.yaml: targets.dbx.host",
            "kindling.yaml: targets.dbx.artifacts_path",
            "kindling.yaml: targets.dbx.poll_interval",
            "kindling.yaml: targets.dbx.auth.method");
    assertThatThrownBy(
            () ->
                DatabricksSettings.from(
                    target(
                        Map.of("host", "ftp://x"),
                        AuthConfig.token(Secret.of("t")),
                        JobConfig.builder().artifactsPath("/tmp").build())))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("not a workspace URL")
        .hasMessageContaining("not a volume or DBFS directory");
  }

  @Test
  void aKindlingYamlTargetWorksEndToEndWithoutTouchingTheNetwork() {
    KindlingConfig config =
        KindlingConfig.parse(
            String.join(
                "\n",
                "targets:",
                "  dbx:",
                "    platform: databricks",
                "    host: https://adb-1.2.azuredatabricks.net",
                "    artifacts_path: /Volumes/main/apps/artifacts/kindling",
                "    cluster_id: 0101-000000-abc",
                "    auth: {method: token, token: dapi-not-real}",
                ""),
            "kindling.yaml",
            Map.of());
    // building the injector and the service must not build the SDK client (no network here)
    try (Kindling k = Kindling.forTarget(config.target("dbx"))) {
      assertThat(k.platform()).isInstanceOf(DatabricksPlatformService.class);
      assertThat(k.platform().pollInterval()).isEqualTo(Duration.ofSeconds(5));
    }
  }

  @Test
  void sdkConfigPinsTheAuthMethod() {
    DatabricksSettings base =
        new DatabricksSettings(
            "https://h",
            ArtifactsRoot.parse("dbfs:/k").orElseThrow(),
            AuthConfig.token(Secret.of("dapi123")),
            Duration.ofSeconds(5));
    assertThat(WorkspaceClients.config(base).getAuthType()).isEqualTo("pat");
    assertThat(WorkspaceClients.config(base).getToken()).isEqualTo("dapi123");
    DatabricksSettings profile =
        new DatabricksSettings(
            "https://h",
            base.artifactsRoot(),
            new AuthConfig(
                AuthConfig.Method.DATABRICKS_PROFILE,
                null,
                null,
                null,
                null,
                null,
                java.util.Optional.of("dev")),
            Duration.ofSeconds(5));
    assertThat(WorkspaceClients.config(profile).getProfile()).isEqualTo("dev");
    DatabricksSettings unified =
        new DatabricksSettings(
            "https://h", base.artifactsRoot(), AuthConfig.defaults(), Duration.ofSeconds(5));
    assertThat(WorkspaceClients.config(unified).getAuthType()).isNull();
  }

  @Test
  void libraries() {
    assertThat(Libraries.parse("/Volumes/c/s/v/a.whl").orElseThrow().getWhl())
        .isEqualTo("/Volumes/c/s/v/a.whl");
    assertThat(Libraries.parse("abfss://c@a.dfs.core.windows.net/a.jar").orElseThrow().getJar())
        .isNotNull();
    assertThat(Libraries.parse("pypi:pandas>=2").orElseThrow().getPypi().getPackage())
        .isEqualTo("pandas>=2");
    assertThat(Libraries.parse("maven:g:a:1").orElseThrow().getMaven().getCoordinates())
        .isEqualTo("g:a:1");
    for (String bad :
        new String[] {"a.whl", "pypi:", "maven:g:a", "/x/y.zip", " /a.whl", "//h/a.jar"}) {
      assertThat(Libraries.parse(bad)).as(bad).isEmpty();
    }
  }
}
