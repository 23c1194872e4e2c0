package dev.kindling.synapse;

import dev.kindling.core.error.NotFoundException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Synapse run id, self-contained: {@code <pool>:<batch id>:<run tag>:<app>}. Livy batch ids are
 * int32 and unique only per Spark pool, so the pool is part of the id; the run tag and app name
 * locate the run's {@code result.json} below the artifacts root. Pool names are letters and digits,
 * run tags and app names never contain {@code :}.
 *
 * @param pool the Spark pool
 * @param batchId the Livy batch id
 * @param runTag the run tag the shim writes its result under
 * @param app the app name
 */
record SynapseRunId(String pool, int batchId, String runTag, String app) {
  private static final Pattern FORM =
      Pattern.compile(
          "([A-Za-z][A-Za-z0-9]{0,14}):([0-9]{1,10}):([A-Za-z0-9][A-Za-z0-9._-]{0,127}):"
              + "([A-Za-z0-9][A-Za-z0-9._-]{0,127})");

  SynapseRunId {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(runTag, "runTag");
    Objects.requireNonNull(app, "app");
    if (batchId < 0) {
      throw new IllegalArgumentException("batch id must not be negative: " + batchId);
    }
  }

  /** Parses a run id, or throws {@link NotFoundException} saying what a Synapse run id is. */
  static SynapseRunId parse(String runId) {
    Matcher m = runId == null ? null : FORM.matcher(runId);
    if (m == null || !m.matches()) {
      throw new NotFoundException(
          "'"
              + runId
              + "' is not a Synapse run id (<pool>:<batch id>:<run tag>:<app>, as `kindling run`"
              + " prints it)");
    }
    long id = Long.parseLong(m.group(2));
    if (id > Integer.MAX_VALUE) {
      throw new NotFoundException(
          "'"
              + runId
              + "' names batch "
              + id
              + ", beyond int32; a Synapse run id is <pool>:<batch id>:<run tag>:<app>");
    }
    return new SynapseRunId(m.group(1), (int) id, m.group(3), m.group(4));
  }

  @Override
  public String toString() {
    return pool + ":" + batchId + ":" + runTag + ":" + app;
  }
}
