package dev.kindling.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.testkit.FakeCloud;
import dev.kindling.testkit.RunScript;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Written only with {@link KindlingTest}: the same tests on the fake and the three emulators, the
 * emulators started once for the class; cleanup between tests is checked by the test that runs
 * after the deploying one.
 */
@KindlingTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KindlingExtensionTest {
  private static final Path HELLO = Path.of("../examples/hello-python");

  /** Injected per test. */
  KindlingTargets targets;

  @OnPlatform(TestPlatform.FABRIC)
  DataAppDeployer fabric;

  @ParameterizedTest
  @EnumSource(TestPlatform.class)
  @Order(1)
  void deploysRunsAndReadsTheLogsOnEachPlatform(TestPlatform platform) {
    KindlingTarget target = targets.get(platform);
    DataAppDeployer deployer = target.deployer();

    DeploymentResult deployed = deployer.deployAsJob(HELLO, JobConfig.builder().build());
    JobStatus status =
        deployer.start(deployed.jobId(), Map.of("name", "extension")).await(Duration.ofMinutes(2));

    assertThat(status.state()).as("%s", status).isEqualTo(RunState.SUCCEEDED);
    assertThat(deployer.logs(status.runId()).output()).contains("extension");
    assertThat(target.service().listJobs()).extracting(JobInfo::jobId).contains(deployed.jobId());
    if (platform.emulated()) {
      // the journal starts with this test: the deploy, the run and the polls, nothing else
      assertThat(target.journal().entries()).isNotEmpty();
      assertThat(target.journal().requests("POST", ".*")).isNotEmpty();
    } else {
      assertThat(target.fakeCloud().orElseThrow().calls("deploySparkJob")).hasSize(1);
    }
  }

  @ParameterizedTest
  @EnumSource(TestPlatform.class)
  @Order(2)
  void theJobsOfThePreviousTestWereDeleted(TestPlatform platform) {
    assertThat(targets.get(platform).service().listJobs())
        .as("jobs left on %s", platform)
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = TestPlatform.class, names = "FAKE", mode = EnumSource.Mode.EXCLUDE)
  @Order(3)
  void injectedFaultsShowInTheJournal(TestPlatform platform) {
    KindlingTarget target = targets.get(platform);
    target.inject(Fault.on("GET", ".*").status(403).always().named("denied").build());

    assertThatThrownBy(() -> target.service().listJobs()).isInstanceOf(AuthException.class);

    assertThat(target.journal().entries(e -> e.fault().equals("denied"))).isNotEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = TestPlatform.class, names = "FAKE", mode = EnumSource.Mode.EXCLUDE)
  @Order(4)
  void faultsAreClearedAfterEachTest(TestPlatform platform) {
    assertThat(targets.get(platform).service().listJobs()).isEmpty();
    assertThat(targets.get(platform).journal().entries(e -> !e.fault().isEmpty())).isEmpty();
  }

  @Test
  void fieldsAndParametersFollowOnPlatform(
      @OnPlatform(TestPlatform.DATABRICKS) PlatformService databricks,
      @OnPlatform(TestPlatform.DATABRICKS) Journal journal,
      FakeCloud fake) {
    assertThat(fabric.platform().platformId()).isEqualTo("fabric");
    assertThat(databricks.platformId()).isEqualTo("databricks");
    assertThat(targets.get(TestPlatform.DATABRICKS).service()).isSameAs(databricks);
    assertThat(journal.isEmpty()).isTrue();
    databricks.listJobs();
    assertThat(journal.requests("GET", ".*jobs.*")).isNotEmpty();
    // without @OnPlatform: the platform of @KindlingTest, the fake by default
    assertThat(fake).isSameAs(targets.get(TestPlatform.FAKE).fakeCloud().orElseThrow());
  }

  @Test
  void theFakeRunsScripts(@OnPlatform(TestPlatform.FAKE) KindlingTarget fake) {
    fake.fakeCloud().orElseThrow().scriptNextRuns(RunScript.failAfterPolls(1, "boom"));
    DataAppDeployer deployer = fake.deployer();
    String job = deployer.deployAsJob(HELLO, JobConfig.builder().build()).jobId();

    JobStatus status = deployer.start(job, Map.of()).await(Duration.ofSeconds(30));

    assertThat(status.state()).isEqualTo(RunState.FAILED);
    assertThat(fake.toString()).isEqualTo("KindlingTarget{FAKE in-memory fake}");
    assertThatThrownBy(fake::journal).hasMessageContaining("use fakeCloud()");
  }

  @Test
  void targetsPrintWithoutSecrets() {
    KindlingTarget t = targets.get(TestPlatform.SYNAPSE);
    assertThat(t.toString()).startsWith("KindlingTarget{SYNAPSE emulator at http://127.0.0.1:");
    assertThat(t.kindling().target().toString()).doesNotContain("emulator-token");
  }
}
