package dev.kindling.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CommonJobRulesTest {

  private static List<Problem> check(Consumer<Problems> rule) {
    Problems problems = new Problems();
    rule.accept(problems);
    return problems.asList();
  }

  @Test
  void jobNameIsRequired() {
    JobConfig none = JobConfig.builder().build();
    assertThat(check(p -> CommonJobRules.requireJobName(none, p)))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("job_name");
              assertThat(p.message()).contains("`job_name`").contains("required");
            });
  }

  @Test
  void jobNameMustNotBeBlank() {
    JobConfig blank = JobConfig.builder().jobName("  ").build();
    assertThat(check(p -> CommonJobRules.requireJobName(blank, p)))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("`job_name`").contains("blank"));
    assertThat(
            check(p -> CommonJobRules.requireJobName(JobConfig.builder().jobName("a").build(), p)))
        .isEmpty();
  }

  @Test
  void jobNamePattern() {
    Pattern pattern = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
    String description = "1 to 64 letters, digits, '_' or '-'";
    JobConfig bad = JobConfig.builder().jobName("my app").build();
    JobConfig good = JobConfig.builder().jobName("my-app").build();

    assertThat(check(p -> CommonJobRules.jobNameMatches(bad, pattern, description, p)))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .contains("`job_name`")
                    .contains("my app")
                    .contains(description));
    assertThat(check(p -> CommonJobRules.jobNameMatches(good, pattern, description, p))).isEmpty();
    assertThat(
            check(
                p ->
                    CommonJobRules.jobNameMatches(
                        JobConfig.builder().build(), pattern, description, p)))
        .as("a missing name is requireJobName's business")
        .isEmpty();
  }

  @Test
  void requireNamesTheKey() {
    assertThat(
            check(
                p ->
                    CommonJobRules.require(
                        JobConfig.builder().build(), "spark_pool_name", "set it", p)))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("spark_pool_name");
              assertThat(p.message()).contains("`spark_pool_name`");
              assertThat(p.fix()).isEqualTo("set it");
            });
    assertThatThrownBy(
            () -> CommonJobRules.require(JobConfig.builder().build(), "nope", "", new Problems()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void memoryInRange() {
    MemorySize min = MemorySize.parse("1g");
    MemorySize max = MemorySize.parse("400g");
    JobConfig tooBig = JobConfig.builder().executorMemory("500g").build();
    JobConfig tooSmall = JobConfig.builder().driverMemory("512m").build();
    JobConfig fine = JobConfig.builder().executorMemory("1024m").build();

    assertThat(check(p -> CommonJobRules.memoryInRange(tooBig, "executor_memory", min, max, p)))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .contains("`executor_memory`")
                    .contains("500g")
                    .contains("400g"));
    assertThat(check(p -> CommonJobRules.memoryInRange(tooSmall, "driver_memory", min, max, p)))
        .singleElement()
        .satisfies(p -> assertThat(p.location()).isEqualTo("driver_memory"));
    assertThat(check(p -> CommonJobRules.memoryInRange(fine, "executor_memory", min, max, p)))
        .isEmpty();
    assertThatThrownBy(
            () -> CommonJobRules.memoryInRange(fine, "executors", min, max, new Problems()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void memoryOneOfComparesBytes() {
    List<MemorySize> sizes = List.of(MemorySize.parse("28g"), MemorySize.parse("56g"));
    assertThat(
            check(
                p ->
                    CommonJobRules.memoryOneOf(
                        JobConfig.builder().executorMemory("28672m").build(),
                        "executor_memory",
                        sizes,
                        p)))
        .isEmpty();
    assertThat(
            check(
                p ->
                    CommonJobRules.memoryOneOf(
                        JobConfig.builder().executorMemory("30g").build(),
                        "executor_memory",
                        sizes,
                        p)))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("`executor_memory`").contains("28g, 56g"));
  }

  @Test
  void oneOfForWholeNumbers() {
    JobConfig c = JobConfig.builder().executorCores(3).build();
    assertThat(check(p -> CommonJobRules.oneOf(c, "executor_cores", List.of(4, 8, 16), p)))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("`executor_cores`").contains("4, 8, 16"));
    assertThat(check(p -> CommonJobRules.oneOf(c, "executor_cores", Set.of(3), p))).isEmpty();
    assertThatThrownBy(() -> CommonJobRules.oneOf(c, "job_name", Set.of(1), new Problems()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
