package dev.kindling.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.run.JobInfo;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Live mode: {@code KINDLING_TARGET} names a target of {@code KINDLING_CONFIG}; here the "real"
 * target is a Fabric emulator the test started itself, with a job the extension must not delete.
 */
@KindlingTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KindlingExtensionLiveModeTest {
  private static final Path HELLO = Path.of("../examples/hello-python");

  @TempDir static Path dir;
  static FabricEmulator real;
  static String existingJob;

  KindlingTargets targets;

  @BeforeAll
  static void pointAtALiveTarget() throws Exception {
    real = FabricEmulator.start(dir.resolve("fabric"));
    Path config = dir.resolve("kindling.yaml");
    Files.writeString(
        config,
        new ObjectMapper().writeValueAsString(Map.of("targets", Map.of("prod", real.target()))));
    try (Kindling k = Kindling.fromConfig(config, "prod")) {
      existingJob =
          k.deployer().deployAsJob(HELLO, JobConfig.builder().jobName("existing").build()).jobId();
    }
    System.setProperty(EmulatorPool.TARGET_VARIABLE, "prod");
    System.setProperty(EmulatorPool.CONFIG_VARIABLE, config.toString());
  }

  @AfterAll
  static void stop() {
    System.clearProperty(EmulatorPool.TARGET_VARIABLE);
    System.clearProperty(EmulatorPool.CONFIG_VARIABLE);
    real.close();
  }

  @Test
  @Order(1)
  void theLiveTargetServesItsPlatform() {
    KindlingTarget fabric = targets.get(TestPlatform.FABRIC);

    assertThat(fabric.isLive()).isTrue();
    assertThat(fabric.emulator()).isEmpty();
    assertThat(fabric.toString()).isEqualTo("KindlingTarget{FABRIC live target prod}");
    assertThatThrownBy(fabric::journal).hasMessageContaining("live target");
    fabric.deployer().deployAsJob(HELLO, JobConfig.builder().jobName("from-the-test").build());
    assertThat(fabric.service().listJobs()).extracting(JobInfo::name).contains("from-the-test");
  }

  @Test
  @Order(2)
  void onlyTheJobsTheTestDeployedWereDeleted() {
    assertThat(targets.get(TestPlatform.FABRIC).service().listJobs())
        .extracting(JobInfo::jobId)
        .containsExactly(existingJob);
  }

  @Test
  void otherEmulatedPlatformsAreSkippedAndTheFakeStillRuns() {
    assertThatThrownBy(() -> targets.get(TestPlatform.DATABRICKS))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("live mode: target prod is fabric, not databricks");
    assertThat(targets.get(TestPlatform.FAKE).isLive()).isFalse();
  }
}
