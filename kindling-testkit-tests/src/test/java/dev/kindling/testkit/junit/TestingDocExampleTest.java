package dev.kindling.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.testkit.emulator.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The example of {@code docs/testing.md}, as written there (package, name and app path aside). */
@KindlingTest
class TestingDocExampleTest {
  static final Path APP = Path.of("../examples/hello-python");

  KindlingTargets targets; // injected before each test

  @ParameterizedTest
  @EnumSource(TestPlatform.class) // FAKE, FABRIC, DATABRICKS, SYNAPSE
  void runsOnEveryPlatform(TestPlatform platform) {
    DataAppDeployer deployer = targets.get(platform).deployer();

    var deployed = deployer.deployAsJob(APP, JobConfig.builder().build());
    JobStatus status =
        deployer.start(deployed.jobId(), Map.of("day", "2026-01-01")).await(Duration.ofMinutes(2));

    assertThat(status.state()).isEqualTo(RunState.SUCCEEDED);
  }

  @Test
  void reportsAuthFailures(@OnPlatform(TestPlatform.DATABRICKS) KindlingTarget databricks) {
    databricks.inject(Fault.on("GET", ".*").status(403).always().build());

    assertThatThrownBy(() -> databricks.service().listJobs()).isInstanceOf(AuthException.class);
    assertThat(databricks.journal().requests("GET", ".*/jobs/list")).isNotEmpty();
  }
}
