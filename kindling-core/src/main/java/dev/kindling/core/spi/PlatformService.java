package dev.kindling.core.spi;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunPage;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One Spark platform. Implemented by each platform module against its real APIs; the orchestrator
 * only ever talks to this interface.
 *
 * <p>Ids are self-contained: a job id or run id returned by one instance works in any other
 * instance configured for the same target, in any process.
 */
public interface PlatformService {
  /** The platform id, e.g. {@code fabric}. */
  String platformId();

  /**
   * Uploads the app's files (only those not stored yet), writes a new release manifest, then
   * creates the job definition or switches the existing one (same job name) to the new release. A
   * failure before the switch leaves the previous release the one the job runs.
   */
  DeploymentResult deploySparkJob(AppFiles app, JobConfig config);

  /**
   * Starts a run of a deployed job. {@code params} reach the app as {@code config:key=value}
   * arguments (Python) or {@code key=value} arguments (JVM), over the job's default parameters.
   *
   * @return the run id
   */
  String runSparkJob(String jobId, Map<String, String> params);

  /** The run's current status; throws {@code NotFoundException} for an unknown run id. */
  JobStatus getJobStatus(String runId);

  /**
   * Asks the platform to cancel the run. True when a cancel was requested of an active run, false
   * when the run had already ended. Cancellation is asynchronous: wait for a terminal state.
   */
  boolean cancelJob(String runId);

  /** The run's output and result, as far as the platform has them now. */
  RunLogs logs(String runId);

  /** Deletes the job definition (not the stored releases); true if it existed. */
  boolean deleteJob(String jobId);

  /** The jobs on this target deployed by Kindling. */
  List<JobInfo> listJobs();

  /** How often a wait should poll this platform's run status when it does not say otherwise. */
  default Duration pollInterval() {
    return Duration.ofSeconds(5);
  }

  /**
   * The run's {@code result.json} as the bootstrap shim wrote it, if it exists yet. The default
   * reads it from {@link #logs(String)}; platforms that can read only the file override it.
   */
  default Optional<String> resultJson(String runId) {
    return logs(runId).resultJson();
  }

  /**
   * One page of the runs of a job, newest first, with their metrics.
   *
   * @param jobId the job
   * @param limit the most runs to return (1 to {@link RunPage#MAX_LIMIT})
   * @param pageToken {@code null} for the first page, else the previous page's {@link
   *     RunPage#nextPageToken()}
   * @throws dev.kindling.core.error.NotFoundException when the job does not exist
   */
  default RunPage listRuns(String jobId, int limit, String pageToken) {
    throw new UnsupportedOperationException(
        platformId() + ": listing a job's runs is not supported by this platform module");
  }

  /**
   * Sets (creates or replaces) the job's schedule. Converts {@code schedule} to the platform's form
   * first and throws a {@code ValidationException} before any network call when it cannot be
   * represented there.
   *
   * @throws UnsupportedOperationException on platforms without schedules
   */
  default ScheduleInfo setSchedule(String jobId, JobSchedule schedule) {
    throw new UnsupportedOperationException(
        "platform " + platformId() + " cannot schedule jobs; see docs/scheduling.md");
  }

  /** The job's schedule, or empty when it has none. */
  default Optional<ScheduleInfo> getSchedule(String jobId) {
    throw new UnsupportedOperationException(
        "platform " + platformId() + " cannot schedule jobs; see docs/scheduling.md");
  }

  /**
   * Pauses ({@code enabled=false}) or resumes the job's schedule; false when the job has no
   * schedule.
   */
  default boolean enableSchedule(String jobId, boolean enabled) {
    throw new UnsupportedOperationException(
        "platform " + platformId() + " cannot schedule jobs; see docs/scheduling.md");
  }

  /** Removes the job's schedule; false when it had none. */
  default boolean removeSchedule(String jobId) {
    throw new UnsupportedOperationException(
        "platform " + platformId() + " cannot schedule jobs; see docs/scheduling.md");
  }

  /**
   * True when {@link #deploySparkJob} maps a job config's {@code retry} onto the platform's own run
   * retries, so that Kindling's wait loop must not submit a failed run again.
   */
  default boolean retriesRunsNatively() {
    return false;
  }

  /**
   * The platform's own job graphs, when it runs several tasks with dependencies as one job; empty
   * (the default) makes Kindling run graphs client-side, task by task.
   */
  default Optional<NativeGraphs> nativeGraphs() {
    return Optional.empty();
  }

  /**
   * The group of runs whose statuses one {@link #getJobStatuses} call can fetch together with this
   * run's (for example its job, or its Spark pool), or empty (the default) when the platform can
   * only fetch a run's status on its own. Must not make a network call. Waits on many runs of one
   * group then cost one list request per poll instead of one request per run.
   */
  default Optional<String> statusBatchKey(String runId) {
    return Optional.empty();
  }

  /**
   * The statuses of several runs with the same {@link #statusBatchKey}, from the platform's list
   * API in as few requests as it allows. Runs the listing does not show (for example runs that have
   * dropped out of a list of recent or active runs) are left out of the map, and the caller asks
   * {@link #getJobStatus} for them.
   *
   * @throws UnsupportedOperationException when the platform cannot list statuses (the default)
   */
  default Map<String, JobStatus> getJobStatuses(String batchKey, Set<String> runIds) {
    throw new UnsupportedOperationException(
        platformId() + ": fetching several run statuses in one call is not supported");
  }
}
