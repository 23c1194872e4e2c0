package dev.kindling.core.run;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link StatusSource} that can also fetch the statuses of many runs at once, through a
 * platform's list API (Databricks {@code runs/list}, Fabric's job instances of an item, Livy's
 * batches of a pool). A {@link RunPoller} groups the runs it waits for by {@link #batchKey} and
 * asks for each group's statuses with one {@link #fetchAll} per poll, so that the requests a wait
 * costs grow with the number of groups, not with the number of runs.
 */
public interface BatchStatusSource extends StatusSource {
  /**
   * The group of runs whose statuses one {@link #fetchAll} call can answer together with this run's
   * (for example the job or the Spark pool it runs in), or empty when this run's status can only be
   * fetched on its own with {@link #fetch(String)}. Must not make a network call.
   */
  Optional<String> batchKey(String runId);

  /**
   * The statuses of the given runs, all with this {@code batchKey}, in as few requests as the
   * platform's list API allows. Runs the listing does not show are left out of the map; the poller
   * then fetches them one at a time with {@link #fetch(String)} (for example a run that has dropped
   * out of a list of active or recent runs). Entries for runs that were not asked for are allowed
   * and ignored.
   *
   * <p>Throws as {@link #fetch(String)} does: a {@link dev.kindling.core.error.TransientException}
   * or {@link dev.kindling.core.error.ThrottledException} counts as a failed poll of every run in
   * the group; an {@link UnsupportedOperationException} or any other exception makes the poller
   * fetch the group's runs one at a time from then on.
   */
  Map<String, JobStatus> fetchAll(String batchKey, Set<String> runIds);
}
