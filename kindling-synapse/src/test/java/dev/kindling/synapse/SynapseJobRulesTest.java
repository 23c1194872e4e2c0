package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigs;
import dev.kindling.core.config.MemorySize;
import dev.kindling.core.error.Problem;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SynapseJobRulesTest {
  private static List<Problem> validate(Map<String, ?> keys) {
    return JobConfigs.validate(JobConfig.fromMap(keys), new SynapseJobRules(), "job config");
  }

  @Test
  void aConfigWithPoolSizesIsValid() {
    assertThat(
            validate(
                Map.of(
                    "job_name",
                    "daily_load-2",
                    "executors",
                    4,
                    "executor_cores",
                    8,
                    "executor_memory",
                    "56g",
                    "driver_cores",
                    4,
                    "driver_memory",
                    "28g")))
        .isEmpty();
  }

  @Test
  void namesWithForbiddenCharactersAreRejected() {
    for (String bad : new String[] {"a.b", "a:b", "-lead", "a/b", "a?b", "a%b"}) {
      assertThat(validate(Map.of("job_name", bad)))
          .as(bad)
          .extracting(Problem::location)
          .containsExactly("job config: job_name");
    }
  }

  @Test
  void memoryTheNodeSizesDoNotHaveIsRejectedWithTheAllowedSizes() {
    List<Problem> found = validate(Map.of("executor_memory", "30g", "driver_cores", 5));

    assertThat(found)
        .extracting(Problem::location)
        .containsExactlyInAnyOrder("job config: executor_memory", "job config: driver_cores");
    assertThat(found.get(0).fix() + found.get(1).fix()).contains("28g").contains("400g");
  }

  @Test
  void coresAndMemoryOfDifferentNodeSizesAreRejected() {
    List<Problem> found = validate(Map.of("executor_cores", 4, "executor_memory", "56g"));

    assertThat(found)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("job config: executor_memory");
              assertThat(p.fix()).contains("28g");
            });
  }

  @Test
  void keysOfOtherPlatformsAreReported() {
    assertThat(validate(Map.of("cluster_id", "abc")))
        .extracting(Problem::location)
        .containsExactly("job config: cluster_id");
  }

  @Test
  void theNodeSizeFollowsCoresThenMemoryThenTheDefault() {
    assertThat(SynapseJobRules.size(Optional.of(16), Optional.empty()).memory())
        .isEqualTo(MemorySize.parse("112g"));
    assertThat(
            SynapseJobRules.size(Optional.empty(), Optional.of(MemorySize.parse("57344m"))).cores())
        .isEqualTo(8);
    assertThat(SynapseJobRules.size(Optional.empty(), Optional.empty()).cores()).isEqualTo(4);
  }
}
