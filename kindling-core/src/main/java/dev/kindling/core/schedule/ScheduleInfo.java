package dev.kindling.core.schedule;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A job's schedule as the platform holds it.
 *
 * @param jobId the job
 * @param enabled whether the platform will start runs (false when paused)
 * @param schedule the schedule in Kindling's terms, when the platform's form converts back (a
 *     schedule made in a platform's portal may not)
 * @param summary the platform's form in one line, e.g. {@code Fabric Weekly at 06:00 on Monday (GMT
 *     Standard Time)}
 * @param definition the platform's own definition (JSON-like maps and lists), for display
 */
public record ScheduleInfo(
    String jobId,
    boolean enabled,
    Optional<JobSchedule> schedule,
    String summary,
    Map<String, Object> definition) {
  public ScheduleInfo {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(summary, "summary");
    definition = definition == null ? Map.of() : definition;
  }
}
