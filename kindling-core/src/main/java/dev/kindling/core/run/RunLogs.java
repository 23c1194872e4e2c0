package dev.kindling.core.run;

import java.util.Objects;
import java.util.Optional;

/**
 * What a platform has of a run's output.
 *
 * @param runId the run
 * @param output the driver's output (stdout, and stderr where the platform merges them); may be
 *     only the tail when the platform keeps only that
 * @param resultJson the {@code result.json} the bootstrap shim wrote at the end of the run, if it
 *     exists yet
 * @param location where the logs live (a path or URL), if known
 */
public record RunLogs(
    String runId, String output, Optional<String> resultJson, Optional<String> location) {
  public RunLogs {
    Objects.requireNonNull(runId, "runId");
    output = output == null ? "" : output;
    resultJson = resultJson == null ? Optional.empty() : resultJson;
    location = location == null ? Optional.empty() : location;
  }
}
