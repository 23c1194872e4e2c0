package dev.kindling.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.CommonJobRules;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.deploy.RemoteLayout;
import dev.kindling.core.deploy.RunFiles;
import dev.kindling.core.deploy.RunTags;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunMetrics;
import dev.kindling.core.run.RunPage;
import dev.kindling.core.run.RunState;
import dev.kindling.core.spi.PlatformService;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An in-memory {@link PlatformService}: deploys into an {@link InMemoryArtifactStore} through the
 * same {@link ReleasePublisher} as real platforms, and plays runs from {@link RunScript}s instead
 * of running them. Every call is recorded in its {@link FakeCloud}. Passes the platform contract
 * suite, so code tested against it behaves the same on the real platforms.
 */
public final class FakePlatformService implements PlatformService {
  /** The platform id of the fake. */
  public static final String ID = "fake";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeCloud cloud;

  /** A fake over a fresh cloud of its own. */
  public FakePlatformService() {
    this(new FakeCloud());
  }

  /** A fake over {@code cloud}, shared with other instances. */
  public FakePlatformService(FakeCloud cloud) {
    this.cloud = cloud;
  }

  /**
   * The fake's job rules: every job key is accepted and {@code job_name} is required (the deployer
   * defaults it to the app name).
   */
  public static JobConfigValidator jobRules() {
    return new JobConfigValidator() {
      @Override
      public Set<String> supportedKeys() {
        return Set.copyOf(JobConfig.KEYS);
      }

      @Override
      public void validate(JobConfig config, Problems problems) {
        CommonJobRules.requireJobName(config, problems);
      }
    };
  }

  /** Kindling over this fake, with {@link #jobRules()}: the quickest way to a deployer in tests. */
  public Kindling kindling() {
    return Kindling.withPlatform(this, jobRules());
  }

  /** The cloud behind this service: scripts, journal, stored files. */
  public FakeCloud cloud() {
    return cloud;
  }

  @Override
  public String platformId() {
    return ID;
  }

  @Override
  public Duration pollInterval() {
    return Duration.ofMillis(1);
  }

  @Override
  public DeploymentResult deploySparkJob(AppFiles app, JobConfig config) {
    String name =
        config
            .jobName()
            .orElseThrow(
                () ->
                    new ValidationException(
                        Problem.of("job config: job_name", "is required", "set job_name")));
    cloud.record("deploySparkJob", app.appName(), name);
    Release release = new ReleasePublisher(cloud.store(), 4, cloud.clock()).publish(app);
    FakeCloud.Job job = cloud.upsertJob(name, app.appName(), release.id(), config.parameters());
    return new DeploymentResult(
        job.id(),
        cloud.store().locate(release.manifestPath()),
        release.id(),
        ID,
        release.filesTotal(),
        release.filesUploaded(),
        release.bytesUploaded(),
        Map.of("app", app.appName()));
  }

  @Override
  public String runSparkJob(String jobId, Map<String, String> params) {
    cloud.record("runSparkJob", jobId);
    FakeCloud.Job job =
        cloud.job(jobId).orElseThrow(() -> new NotFoundException("no job " + jobId + " (fake)"));
    Map<String, String> merged = new LinkedHashMap<>(job.params());
    merged.putAll(params);
    return cloud.newRun(job, RunTags.newTag(cloud.clock()), merged).id;
  }

  @Override
  public JobStatus getJobStatus(String runId) {
    cloud.record("getJobStatus", runId);
    synchronized (cloud) {
      return poll(find(runId));
    }
  }

  /** A status poll: advances the run along its script. Under the cloud's lock. */
  private JobStatus poll(FakeCloud.Run run) {
    if (!run.state.isTerminal()) {
      run.polls++;
      RunScript s = run.script;
      if (!s.hang() && run.polls >= s.terminalAfterPolls()) {
        finish(run, s.outcome());
      } else if (run.polls > 1 || s.hang()) {
        if (run.state != RunState.RUNNING) {
          run.state = RunState.RUNNING;
          run.start = cloud.clock().instant();
        }
      }
    }
    return status(run);
  }

  /** A run's job: the fake lists the statuses of one job's runs together. No call is recorded. */
  @Override
  public Optional<String> statusBatchKey(String runId) {
    if (!cloud.batchStatuses()) {
      return Optional.empty();
    }
    return cloud.run(runId).map(r -> r.job.id());
  }

  /**
   * The statuses of the asked runs of job {@code batchKey}, as one listing (recorded as {@code
   * getJobStatuses} with the job id and the run ids, sorted). Each listed run counts as a status
   * poll of its {@link RunScript}; runs of other jobs and unknown runs are left out, as are runs
   * that have ended when the cloud {@link FakeCloud#listActiveRunsOnly lists active runs only}.
   */
  @Override
  public Map<String, JobStatus> getJobStatuses(String batchKey, Set<String> runIds) {
    List<String> args = new ArrayList<>();
    args.add(batchKey);
    args.addAll(new java.util.TreeSet<>(runIds));
    cloud.record("getJobStatuses", args.toArray(String[]::new));
    if (!cloud.batchStatuses()) {
      throw new UnsupportedOperationException("fake: listing statuses is turned off");
    }
    Map<String, JobStatus> out = new LinkedHashMap<>();
    synchronized (cloud) {
      for (String runId : runIds) {
        Optional<FakeCloud.Run> found = cloud.run(runId);
        if (found.isEmpty() || !found.get().job.id().equals(batchKey)) {
          continue;
        }
        FakeCloud.Run run = found.get();
        if (cloud.listActiveRunsOnly() && run.state.isTerminal()) {
          continue;
        }
        out.put(runId, poll(run));
      }
    }
    return out;
  }

  @Override
  public boolean cancelJob(String runId) {
    cloud.record("cancelJob", runId);
    synchronized (cloud) {
      FakeCloud.Run run = find(runId);
      if (run.state.isTerminal()) {
        return false;
      }
      finish(run, RunState.CANCELLED);
      return true;
    }
  }

  @Override
  public RunLogs logs(String runId) {
    cloud.record("logs", runId);
    synchronized (cloud) {
      FakeCloud.Run run = find(runId);
      String result = RemoteLayout.resultPath(run.job.app(), run.runTag);
      return new RunLogs(
          runId,
          String.join("\n", output(run)) + "\n",
          cloud.store().text(result),
          Optional.of(cloud.store().locate(RemoteLayout.runDir(run.job.app(), run.runTag))));
    }
  }

  @Override
  public boolean deleteJob(String jobId) {
    cloud.record("deleteJob", jobId);
    return cloud.removeJob(jobId);
  }

  @Override
  public List<JobInfo> listJobs() {
    cloud.record("listJobs");
    return cloud.jobs().stream()
        .map(j -> new JobInfo(j.id(), j.name(), Map.of("app", j.app(), "release", j.release())))
        .toList();
  }

  @Override
  public RunPage listRuns(String jobId, int limit, String pageToken) {
    cloud.record("listRuns", jobId);
    FakeCloud.Job job =
        cloud.job(jobId).orElseThrow(() -> new NotFoundException("no job " + jobId + " (fake)"));
    synchronized (cloud) {
      List<FakeCloud.Run> runs = new ArrayList<>(cloud.runsOf(job.id()));
      java.util.Collections.reverse(runs);
      int offset = RunPage.offsetOf(pageToken);
      int to = Math.min(runs.size(), offset + RunPage.clamp(limit));
      List<RunMetrics> page = new ArrayList<>();
      for (FakeCloud.Run run : runs.subList(Math.min(offset, runs.size()), to)) {
        page.add(
            new RunMetrics(
                run.id,
                run.state,
                run.state.name(),
                Optional.of(run.submitted),
                Optional.ofNullable(run.start),
                Optional.ofNullable(run.end),
                1,
                Optional.of(run.job.release()),
                RunFiles.releaseBytes(cloud.store(), run.job.app(), run.job.release())));
      }
      return new RunPage(
          page, to < runs.size() ? Optional.of(RunPage.offsetToken(to)) : Optional.empty());
    }
  }

  private FakeCloud.Run find(String runId) {
    return cloud
        .run(runId)
        .orElseThrow(
            () ->
                new NotFoundException(
                    "no run " + runId + " (fake)", null, ID, 404, "RunNotFound", null));
  }

  private void finish(FakeCloud.Run run, RunState state) {
    run.state = state;
    if (run.start == null) {
      run.start = cloud.clock().instant();
    }
    run.end = cloud.clock().instant();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("kindling_result", 1);
    result.put("app", run.job.app());
    result.put("release", run.job.release());
    result.put("run_tag", run.runTag);
    result.put("state", state == RunState.SUCCEEDED ? "SUCCEEDED" : "FAILED");
    result.put("exit_code", state == RunState.SUCCEEDED ? 0 : 1);
    result.put("start", run.start.toString());
    result.put("end", run.end.toString());
    result.put("error", state == RunState.SUCCEEDED ? null : error(run, state));
    result.put("traceback", null);
    result.put("output_tail", output(run));
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsString(result).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    cloud
        .store()
        .upload(
            RemoteLayout.resultPath(run.job.app(), run.runTag),
            new ByteArrayInputStream(bytes),
            bytes.length);
  }

  private static String error(FakeCloud.Run run, RunState state) {
    return state == RunState.CANCELLED ? "cancelled" : run.script.error().orElse("failed");
  }

  private static List<String> output(FakeCloud.Run run) {
    List<String> lines = new ArrayList<>();
    lines.add("[fake] job " + run.job.name() + " release " + run.job.release());
    run.params.forEach((k, v) -> lines.add("[fake] parameter " + k + "=" + v));
    lines.addAll(run.script.output());
    return lines;
  }

  private JobStatus status(FakeCloud.Run run) {
    String error = null;
    if (run.state == RunState.FAILED || run.state == RunState.CANCELLED) {
      error = error(run, run.state);
    }
    return new JobStatus(
        run.id,
        run.state,
        run.state.name(),
        Optional.ofNullable(run.start),
        Optional.ofNullable(run.end),
        Optional.ofNullable(error),
        Optional.of(cloud.store().locate(RemoteLayout.runDir(run.job.app(), run.runTag))));
  }
}
