package dev.kindling.core.run;

import java.util.Map;
import java.util.Objects;

/**
 * A job definition deployed by Kindling.
 *
 * @param jobId the platform job id (self-contained, accepted by {@code runSparkJob})
 * @param name the job name
 * @param attributes platform details worth showing (release, app, ...)
 */
public record JobInfo(String jobId, String name, Map<String, String> attributes) {
  public JobInfo {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(name, "name");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
