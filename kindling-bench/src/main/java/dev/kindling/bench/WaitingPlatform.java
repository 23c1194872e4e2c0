package dev.kindling.bench;

import dev.kindling.core.run.BatchStatusSource;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 5's platform, in the bench's JVM: runs that end at given moments of the real clock,
 * spread over {@code jobs} jobs, with a status call and a list call that each take L (one round
 * trip), like the network would.
 *
 * <p>The list call models a platform's list API for one job: the job's runs in pages of {@code
 * pageSize}, one request per page, read one after the other (continuation tokens) until every asked
 * run has been seen or the pages run out. By default the list shows every run of the job, ended or
 * not (Databricks {@code runs/list?job_id}, Fabric's job instances of an item); with {@code
 * activeOnly} it shows only the runs that have not ended, so each run's end is read with a single
 * status call (Databricks {@code active_only=true}).
 */
final class WaitingPlatform implements BatchStatusSource {
  private final Map<String, Instant> ends;
  private final Map<String, String> jobOf = new HashMap<>();
  private final Map<String, List<String>> runsOf = new LinkedHashMap<>();
  private final int pageSize;
  private final boolean activeOnly;
  private final Duration latency;
  private final AtomicLong listRequests = new AtomicLong();
  private final AtomicLong singleRequests = new AtomicLong();

  WaitingPlatform(
      Map<String, Instant> ends, int jobs, int pageSize, boolean activeOnly, Duration latency) {
    if (jobs < 1 || pageSize < 1) {
      throw new IllegalArgumentException("--jobs and --list-page-size must be at least 1");
    }
    this.ends = Map.copyOf(ends);
    this.pageSize = pageSize;
    this.activeOnly = activeOnly;
    this.latency = latency;
    int i = 0;
    for (String run : ends.keySet().stream().sorted().toList()) {
      String job = "job-" + (i++ % jobs);
      jobOf.put(run, job);
      runsOf.computeIfAbsent(job, k -> new ArrayList<>()).add(run);
    }
  }

  long listRequests() {
    return listRequests.get();
  }

  long singleRequests() {
    return singleRequests.get();
  }

  @Override
  public JobStatus fetch(String runId) {
    singleRequests.incrementAndGet();
    sleep(latency);
    return statusNow(runId);
  }

  @Override
  public Optional<String> batchKey(String runId) {
    return Optional.ofNullable(jobOf.get(runId));
  }

  @Override
  public Map<String, JobStatus> fetchAll(String job, Set<String> runIds) {
    Map<String, JobStatus> found = new HashMap<>();
    List<String> listed = runsOf.getOrDefault(job, List.of());
    if (activeOnly) {
      Instant now = Instant.now();
      listed = listed.stream().filter(r -> now.isBefore(ends.get(r))).toList();
    }
    int seen = 0;
    for (int from = 0; from < listed.size() && seen < runIds.size(); from += pageSize) {
      listRequests.incrementAndGet();
      sleep(latency);
      for (String run : listed.subList(from, Math.min(listed.size(), from + pageSize))) {
        JobStatus s = statusNow(run);
        if (activeOnly && s.isTerminal()) {
          continue; // ended while the pages were read
        }
        found.put(run, s);
        if (runIds.contains(run)) {
          seen++;
        }
      }
    }
    return found;
  }

  private JobStatus statusNow(String runId) {
    boolean over = !Instant.now().isBefore(ends.get(runId));
    return JobStatus.of(
        runId, over ? RunState.SUCCEEDED : RunState.RUNNING, over ? "Succeeded" : "Running");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
