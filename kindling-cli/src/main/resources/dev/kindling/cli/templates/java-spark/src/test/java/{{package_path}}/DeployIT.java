package {{package}};

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.testkit.FakeCloud;
import dev.kindling.testkit.junit.KindlingTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deploys this directory — app.yaml and the jar `mvn package` put in lib/ — to Kindling's fake
 * platform: the app validates, every file is uploaded and a run can be started. Runs in `mvn
 * verify`, after `package`.
 */
@KindlingTest
class DeployIT {
  static final Path APP = Path.of(".");

  @Test
  void deploysAndRuns(DataAppDeployer deployer, FakeCloud cloud) {
    DeploymentResult deployed = deployer.deployAsJob(APP, JobConfig.builder().build());

    // app.yaml and lib/{{name}}.jar; sources, pom.xml and kindling.yaml stay here
    assertEquals(2, deployed.filesTotal(), deployed.toString());
    assertEquals(1, cloud.jobs().size());
    assertEquals("{{name}}", cloud.jobs().get(0).name());

    JobStatus status =
        deployer.start(deployed.jobId(), Map.of("top", "3")).await(Duration.ofMinutes(1));
    assertEquals(RunState.SUCCEEDED, status.state());
    assertEquals(1, cloud.calls("runSparkJob").size(), cloud.calls().toString());
  }
}
