package dev.kindling.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.Kindling;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.reliability.Rigs.Platform;
import dev.kindling.reliability.Rigs.Rig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two deployers (separate Kindling instances: separate injectors and HTTP clients) on separate
 * threads deploy at the same moment: the same app to the same job name ends with one job definition
 * running a release one of them published; two different apps do not interfere. Also reattach: a
 * run started through one instance is awaited, logged and cancelled through another from its run id
 * alone.
 */
class ConcurrentDeployTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  static Path app(Path root, String name, String text) throws Exception {
    Path a = Files.createDirectories(root.resolve(name));
    Files.writeString(a.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(
        a.resolve("app.py"),
        "import sys, time\nprint('"
            + text
            + "')\nif any('linger' in a for a in sys.argv[1:]):\n    time.sleep(120)\n");
    return a;
  }

  @ParameterizedTest
  @EnumSource(Platform.class)
  void sameAppSameTargetAtOnceEndsWithOneJob(Platform p) throws Exception {
    Rig rig = Rigs.start(p, tmp.resolve("emulator"));
    List<Kindling> ks =
        List.of(rig.kindling(new WarpScheduler()), rig.kindling(new WarpScheduler()));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Path same = app(tmp, "race-app", "hello from the race");
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<DeploymentResult>> racing = new ArrayList<>();
      for (Kindling k : ks) {
        racing.add(
            pool.submit(
                () -> {
                  start.await();
                  return k.deployer().deployAsJob(same, rig.config("race job"));
                }));
      }
      List<DeploymentResult> results = new ArrayList<>();
      for (Future<DeploymentResult> f : racing) {
        results.add(f.get());
      }
      DataAppDeployer d = ks.get(0).deployer();
      List<JobInfo> jobs =
          d.listJobs().stream().filter(j -> j.name().equalsIgnoreCase("race job")).toList();
      assertThat(jobs).as("job definitions after two racing deploys").hasSize(1);
      assertThat(results).extracting(DeploymentResult::jobId).containsOnly(jobs.get(0).jobId());
      String run = d.runJob(jobs.get(0).jobId(), Map.of());
      assertThat(d.awaitRun(run, WAIT).state()).isEqualTo(RunState.SUCCEEDED);
      assertThat(d.logs(run).output()).contains("hello from the race");

      // two different apps in parallel
      Path one = app(tmp, "app-one", "i am one");
      Path two = app(tmp, "app-two", "i am two");
      CyclicBarrier both = new CyclicBarrier(2);
      Future<DeploymentResult> f1 =
          pool.submit(
              () -> {
                both.await();
                return ks.get(0).deployer().deployAsJob(one, rig.config("job one"));
              });
      Future<DeploymentResult> f2 =
          pool.submit(
              () -> {
                both.await();
                return ks.get(1).deployer().deployAsJob(two, rig.config("job two"));
              });
      DeploymentResult r1 = f1.get();
      DeploymentResult r2 = f2.get();
      assertThat(r1.jobId()).isNotEqualTo(r2.jobId());
      String run1 = ks.get(0).deployer().runJob(r1.jobId(), Map.of());
      String run2 = ks.get(1).deployer().runJob(r2.jobId(), Map.of());
      assertThat(d.awaitRun(run1, WAIT).state()).isEqualTo(RunState.SUCCEEDED);
      assertThat(d.awaitRun(run2, WAIT).state()).isEqualTo(RunState.SUCCEEDED);
      assertThat(d.logs(run1).output()).contains("i am one").doesNotContain("i am two");
      assertThat(d.logs(run2).output()).contains("i am two").doesNotContain("i am one");

      // reattach: started by one instance, awaited, logged and cancelled by a fresh one
      String lingering = ks.get(0).deployer().runJob(r1.jobId(), Map.of("linger", "yes"));
      try (Kindling other = rig.kindling(new WarpScheduler())) {
        DataAppDeployer o = other.deployer();
        JobStatus seen = o.getJobStatus(lingering);
        assertThat(seen.isTerminal()).isFalse();
        o.cancelJob(lingering);
        assertThat(o.awaitRun(lingering, WAIT).state()).isEqualTo(RunState.CANCELLED);
        assertThat(o.logs(run1).output()).contains("i am one");
      }
    } finally {
      pool.shutdownNow();
      ks.forEach(Kindling::close);
      rig.emulator().close();
    }
  }
}
