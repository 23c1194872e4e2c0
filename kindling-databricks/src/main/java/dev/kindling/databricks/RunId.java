package dev.kindling.databricks;

import dev.kindling.core.error.NotFoundException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kindling run id on Databricks: {@code <job run id>:<run tag>}, e.g. {@code
 * 1099511628001:20261127T021000Z-1a2b3c4d}. The job run id is what the Jobs API knows; the run tag
 * names the run's {@code result.json} folder. Both are in the id, so status, cancel and logs need
 * nothing else. A bare job run id (as the Databricks UI shows it) is accepted too; the run tag is
 * then read from the run's parameters.
 *
 * @param jobRunId the Databricks run id (int64)
 * @param runTag the run tag, when the id carries one
 */
record RunId(long jobRunId, Optional<String> runTag) {
  private static final Pattern FORM =
      Pattern.compile("(\\d{1,19})(?::([A-Za-z0-9][A-Za-z0-9._-]{0,127}))?");

  static RunId of(long jobRunId, String runTag) {
    return new RunId(jobRunId, Optional.of(runTag));
  }

  /**
   * Parses a run id.
   *
   * @throws NotFoundException when it is not a Databricks run id
   */
  static RunId parse(String id) {
    Matcher m = id == null ? null : FORM.matcher(id.trim());
    if (m == null || !m.matches()) {
      throw new NotFoundException(
          "'"
              + id
              + "' is not a Databricks run id (expected <job run id>:<run tag>, or a job run id)");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new NotFoundException("'" + id + "' is not a Databricks run id: number too large", e);
    }
    return new RunId(n, Optional.ofNullable(m.group(2)));
  }

  /** Parses a job id (an int64); a malformed one names no job. */
  static long parseJobId(String id) {
    try {
      long n = Long.parseLong(id == null ? "" : id.trim());
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new NotFoundException(
          "'" + id + "' is not a Databricks job id (a number); `kindling jobs` lists them", e);
    }
  }

  @Override
  public String toString() {
    return runTag.map(t -> jobRunId + ":" + t).orElse(Long.toString(jobRunId));
  }
}
