package dev.kindling.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.Kindling;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.reliability.Rigs.Platform;
import dev.kindling.reliability.Rigs.Rig;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ambiguous failures (issue 7): the service processes a create-job or submit-run request, then the
 * connection drops before the answer arrives. Kindling must reconcile by listing (the job by name,
 * the run by its Kindling tag or start time) instead of repeating blindly: afterwards exactly one
 * job, exactly one run, and the run completes.
 */
class AmbiguousRequestTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String APP = "amb-app";
  static final String JOB = "amb-job";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  Path app() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(a.resolve("app.yaml"), "name: " + APP + "\nversion: 1.0.0\n");
    Files.writeString(a.resolve("app.py"), "print('hello once')\n");
    return a;
  }

  @ParameterizedTest
  @EnumSource(Platform.class)
  void aCreateWhoseAnswerIsLostLeavesOneJob(Platform p) throws Exception {
    Rig rig = Rigs.start(p, tmp.resolve("emulator"));
    try (Kindling k = rig.kindling(new WarpScheduler())) {
      DataAppDeployer d = k.deployer();
      String[] create = FaultMatrixTest.creates(p, JOB);
      rig.emulator().inject(Fault.on(create[0], create[1]).loseResponse().named("lost").build());

      DeploymentResult deployed = d.deployAsJob(app(), rig.config(JOB));

      Journal journal = rig.emulator().journal();
      assertThat(journal.entries(e -> e.fault().equals("lost")))
          .as("the create was processed and its answer lost\n" + journal)
          .hasSize(1)
          .allMatch(e -> e.status() >= 200 && e.status() < 300);
      List<JobInfo> jobs = jobsNamed(d);
      assertThat(jobs).as("jobs named " + JOB + "\n" + journal).hasSize(1);
      assertThat(jobs.get(0).jobId()).isEqualTo(deployed.jobId());
      if (p != Platform.SYNAPSE) {
        // Synapse's create is a PUT by name (idempotent, safely resent); the others list instead
        assertThat(journal.requests(create[0], create[1]))
            .as("create requests (never resent once processed)\n" + journal)
            .hasSize(1);
      }
      String runId = d.runJob(deployed.jobId(), Map.of());
      JobStatus s = d.awaitRun(runId, WAIT);
      assertThat(s.state()).as(s.toString()).isEqualTo(RunState.SUCCEEDED);
      assertThat(d.logs(runId).output()).contains("hello once");
    } finally {
      rig.emulator().close();
    }
  }

  @ParameterizedTest
  @EnumSource(Platform.class)
  void aRunSubmissionWhoseAnswerIsLostStartsOneRun(Platform p) throws Exception {
    Rig rig = Rigs.start(p, tmp.resolve("emulator"));
    try (Kindling k = rig.kindling(new WarpScheduler())) {
      DataAppDeployer d = k.deployer();
      DeploymentResult deployed = d.deployAsJob(app(), rig.config(JOB));
      String[] submit = FaultMatrixTest.request(p, FaultMatrixTest.Step.SUBMIT, APP, JOB);
      rig.emulator().journal().clear();
      rig.emulator().inject(Fault.on(submit[0], submit[1]).loseResponse().named("lost").build());

      String runId = d.runJob(deployed.jobId(), Map.of());

      Journal journal = rig.emulator().journal();
      assertThat(journal.entries(e -> e.fault().equals("lost")))
          .as("the submission was processed and its answer lost\n" + journal)
          .hasSize(1)
          .allMatch(e -> e.status() >= 200 && e.status() < 300);
      JobStatus s = d.awaitRun(runId, WAIT);
      assertThat(s.state()).as(s.toString()).isEqualTo(RunState.SUCCEEDED);
      assertThat(d.logs(runId).output()).contains("hello once");
      assertThat(runs(rig, deployed.jobId())).as("runs of the job\n" + journal).isEqualTo(1);
    } finally {
      rig.emulator().close();
    }
  }

  static List<JobInfo> jobsNamed(DataAppDeployer d) {
    return d.listJobs().stream().filter(j -> j.name().equalsIgnoreCase(JOB)).toList();
  }

  /** How many runs the platform knows for the job, read from its own list API. */
  static int runs(Rig rig, String jobId) throws Exception {
    URI base = rig.emulator().baseUrl();
    return switch (rig.platform()) {
      case FABRIC -> {
        FabricEmulator f = (FabricEmulator) rig.emulator();
        JsonNode page =
            get(
                base.resolve(
                    "/v1/workspaces/" + f.workspaceId() + "/items/" + jobId + "/jobs/instances"),
                f.apiToken());
        yield page.path("value").size();
      }
      case SYNAPSE -> {
        JsonNode page =
            get(
                base.resolve(
                    "/livyApi/versions/2019-11-01-preview/sparkPools/" + pool(rig) + "/batches"),
                Rigs.TOKEN);
        yield page.path("total").asInt();
      }
      case DATABRICKS -> {
        JsonNode page = get(base.resolve("/api/2.1/jobs/runs/list?job_id=" + jobId), Rigs.TOKEN);
        yield page.path("runs").size();
      }
    };
  }

  static String pool(Rig rig) {
    return String.valueOf(rig.target().get("spark_pool_name"));
  }

  static JsonNode get(URI uri, String token) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET " + uri + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
