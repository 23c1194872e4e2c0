package dev.kindling.local;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.error.Problems;
import java.util.Set;
import java.util.regex.Pattern;

/** Job config rules of the local platform. */
final class LocalJobRules implements JobConfigValidator {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  @Override
  public Set<String> supportedKeys() {
    return Set.of("job_name", "entry_point", "parameters", "tags", "description");
  }

  @Override
  public void validate(JobConfig config, Problems problems) {
    config
        .jobName()
        .filter(n -> !NAME.matcher(n).matches())
        .ifPresent(
            n ->
                problems.add(
                    "job config: job_name",
                    "'" + n + "' is not a valid local job name",
                    "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"));
  }
}
