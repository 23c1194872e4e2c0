package dev.kindling.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class JobConfigsTest {

  /** Rules as a platform module would write them. */
  record Rules(Set<String> supportedKeys, boolean needsLakehouse) implements JobConfigValidator {
    @Override
    public void validate(JobConfig config, Problems problems) {
      CommonJobRules.requireJobName(config, problems);
      CommonJobRules.jobNameMatches(
          config,
          Pattern.compile("[A-Za-z0-9_-]{1,64}"),
          "1 to 64 letters, digits, _ or -",
          problems);
      if (needsLakehouse) {
        CommonJobRules.require(config, "lakehouse_id", "set lakehouse_id", problems);
      }
    }
  }

  private final Rules alpha =
      new Rules(Set.of("job_name", "executor_memory", "lakehouse_id"), true);
  private final Rules beta = new Rules(Set.of("job_name", "cluster_id"), false);
  private final Rules gamma = new Rules(Set.of("job_name", "cluster_id", "spark_pool_name"), false);
  private final Map<String, Rules> platforms = Map.of("alpha", alpha, "beta", beta, "gamma", gamma);

  @Test
  void validConfigHasNoProblems() {
    JobConfig c = JobConfig.builder().jobName("app").lakehouseId("lh").build();
    assertThat(JobConfigs.validate(c, alpha, "job config")).isEmpty();
    assertThat(JobConfigs.validate(c, "alpha", platforms, "job config")).isEmpty();
  }

  @Test
  void keyNotUsedByThePlatformNamesThePlatformsThatUseIt() {
    JobConfig c = JobConfig.builder().jobName("app").lakehouseId("lh").clusterId("c-1").build();

    List<Problem> problems = JobConfigs.validate(c, "alpha", platforms, "job config");

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("job config: cluster_id");
              assertThat(p.message()).isEqualTo("`cluster_id` is not used by platform alpha");
              assertThat(p.fix()).isEqualTo("remove it or use a beta or gamma target");
            });
  }

  @Test
  void keyNotUsedWithoutPlatformNames() {
    JobConfig c = JobConfig.builder().jobName("app").lakehouseId("lh").clusterId("c-1").build();
    assertThat(JobConfigs.validate(c, alpha, "job config"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("`cluster_id`").contains("not used"));
  }

  @Test
  void keyUsedByNoPlatform() {
    JobConfig c = JobConfig.builder().jobName("app").lakehouseId("lh").mainClass("M").build();
    assertThat(JobConfigs.validate(c, "alpha", platforms, "job config"))
        .singleElement()
        .satisfies(p -> assertThat(p.fix()).isEqualTo("remove it"));
  }

  @Test
  void platformProblemsGetTheLocationPrefix() {
    JobConfig c = JobConfig.builder().jobName("bad name!").build();

    List<Problem> problems = JobConfigs.validate(c, alpha, "kindling.yaml: targets.dev");

    assertThat(problems)
        .extracting(Problem::location)
        .containsExactly(
            "kindling.yaml: targets.dev.job_name", "kindling.yaml: targets.dev.lakehouse_id");
    assertThat(problems.get(0).message()).contains("`job_name`").contains("bad name!");
  }

  @Test
  void absoluteLocationsOfValidatorsAreKept() {
    JobConfigValidator custom =
        new JobConfigValidator() {
          @Override
          public Set<String> supportedKeys() {
            return Set.copyOf(JobConfig.KEYS);
          }

          @Override
          public void validate(JobConfig config, Problems problems) {
            problems.add("app.yaml: entry_point", "not in the app");
          }
        };
    assertThat(JobConfigs.validate(JobConfig.builder().build(), custom, "job config"))
        .extracting(Problem::location)
        .containsExactly("app.yaml: entry_point");
  }

  @Test
  void checksRangesOfBuilderMadeConfigs() {
    JobConfig c =
        JobConfig.builder()
            .jobName("app")
            .lakehouseId("lh")
            .executorMemory("1g")
            .executorCores(0)
            .newCluster(new NewCluster(" ", "node", -1))
            .build();
    Rules all = new Rules(Set.copyOf(JobConfig.KEYS), false);

    assertThat(JobConfigs.validate(c, all, "job config"))
        .extracting(Problem::location)
        .containsExactly(
            "job config: executor_cores",
            "job config: new_cluster.num_workers",
            "job config: new_cluster.spark_version");
  }

  @Test
  void unknownPlatformIsReportedWithSuggestion() {
    assertThat(JobConfigs.validate(JobConfig.builder().build(), "alfa", platforms, "job config"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("job config: platform");
              assertThat(p.message()).contains("`alfa`");
              assertThat(p.fix())
                  .startsWith("did you mean `alpha`?")
                  .contains("alpha, beta, gamma");
            });
  }
}
