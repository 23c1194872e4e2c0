package dev.kindling.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JobConfigMergeTest {

  private final JobConfig defaults =
      JobConfig.builder()
          .jobName("default-name")
          .executorMemory("28g")
          .executorCores(4)
          .lakehouseId("lh-default")
          .sparkConf(Map.of("a", "1", "b", "2"))
          .parameter("env", "dev")
          .tag("team", "data")
          .library("default.jar")
          .newCluster(new NewCluster("14.3", "small", 1))
          .build();

  @Test
  void valuesOfThisConfigWin() {
    JobConfig mine = JobConfig.builder().jobName("mine").executorCores(8).build();

    JobConfig merged = mine.withDefaults(defaults);

    assertThat(merged.jobName()).contains("mine");
    assertThat(merged.executorCores()).contains(8);
    assertThat(merged.executorMemory()).contains(MemorySize.parse("28g"));
    assertThat(merged.lakehouseId()).contains("lh-default");
  }

  @Test
  void mapsAreMergedKeyWise() {
    JobConfig mine =
        JobConfig.builder()
            .sparkConf(Map.of("b", "20", "c", "30"))
            .parameter("date", "2024-01-01")
            .build();

    JobConfig merged = mine.withDefaults(defaults);

    assertThat(merged.sparkConf()).isEqualTo(Map.of("a", "1", "b", "20", "c", "30"));
    assertThat(merged.parameters()).isEqualTo(Map.of("env", "dev", "date", "2024-01-01"));
    assertThat(merged.tags()).isEqualTo(Map.of("team", "data"));
  }

  @Test
  void librariesAndNewClusterAreTakenWhole() {
    JobConfig mine =
        JobConfig.builder()
            .library("mine.jar")
            .newCluster(new NewCluster("15.4", "large", 4))
            .build();

    JobConfig merged = mine.withDefaults(defaults);

    assertThat(merged.libraries()).containsExactly("mine.jar");
    assertThat(merged.newCluster()).contains(new NewCluster("15.4", "large", 4));
    assertThat(JobConfig.builder().build().withDefaults(defaults).libraries())
        .containsExactly("default.jar");
  }

  @Test
  void emptyConfigsAreNeutral() {
    JobConfig empty = JobConfig.builder().build();
    assertThat(empty.withDefaults(defaults)).isEqualTo(defaults);
    assertThat(defaults.withDefaults(empty)).isEqualTo(defaults);
  }

  @Test
  void mergingLeavesBothInputsUnchanged() {
    JobConfig mine = JobConfig.builder().sparkConf("b", "20").build();
    Map<String, Object> before = defaults.toMap();
    mine.withDefaults(defaults);
    assertThat(defaults.toMap()).isEqualTo(before);
    assertThat(mine.sparkConf()).isEqualTo(Map.of("b", "20"));
  }

  @Test
  void toStringMasksSecretLookingSparkConf() {
    JobConfig c =
        JobConfig.builder()
            .jobName("app")
            .sparkConf("fs.azure.account.key.acct.dfs.core.windows.net", "s3cr3t-key")
            .sparkConf("spark.sql.shuffle.partitions", "8")
            .parameter("api_token", "tok-123")
            .build();

    assertThat(c.toString())
        .doesNotContain("s3cr3t-key")
        .doesNotContain("tok-123")
        .contains("spark.sql.shuffle.partitions=8")
        .contains("app");
    assertThat(c.sparkConf())
        .containsEntry("fs.azure.account.key.acct.dfs.core.windows.net", "s3cr3t-key");
  }
}
