package dev.kindling.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  private static final List<String> KEYS = JobConfig.KEYS;

  @Test
  void nearestWithinTwoEdits() {
    assertThat(Suggestions.closest("executor_memroy", KEYS)).contains("executor_memory");
    assertThat(Suggestions.closest("job_nme", KEYS)).contains("job_name");
    assertThat(Suggestions.closest("executor", KEYS)).contains("executors");
    assertThat(Suggestions.closest("tag", KEYS)).contains("tags");
  }

  @Test
  void prefixes() {
    assertThat(Suggestions.closest("lakehouse", KEYS)).contains("lakehouse_id");
    assertThat(Suggestions.closest("timeout", KEYS)).contains("timeout_seconds");
    assertThat(Suggestions.closest("executor_memory_overhead", KEYS)).contains("executor_memory");
  }

  @Test
  void noSuggestionForUnrelatedWords() {
    assertThat(Suggestions.closest("colour", KEYS)).isEmpty();
    assertThat(Suggestions.closest("ab", KEYS)).isEmpty();
    assertThat(Suggestions.closest("", KEYS)).isEmpty();
  }

  @Test
  void distanceCountsTranspositionsAsOne() {
    assertThat(Suggestions.distance("ab", "ba")).isEqualTo(1);
    assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
  }

  @Test
  void locations() {
    assertThat(Locations.at("job config", "x")).isEqualTo("job config: x");
    assertThat(Locations.at("kindling.yaml: targets.dev", "x"))
        .isEqualTo("kindling.yaml: targets.dev.x");
    assertThat(Locations.at("", "x")).isEqualTo("x");
    assertThat(Locations.relocate("job config", "new_cluster.num_workers"))
        .isEqualTo("job config: new_cluster.num_workers");
    assertThat(Locations.relocate("job config", "app.yaml: x")).isEqualTo("app.yaml: x");
  }

  @Test
  void secretLookingKeys() {
    assertThat(Redaction.isSecretKey("fs.azure.account.key.acct.dfs.core.windows.net")).isTrue();
    assertThat(Redaction.isSecretKey("client_secret")).isTrue();
    assertThat(Redaction.isSecretKey("sas_token")).isTrue();
    assertThat(Redaction.isSecretKey("spark.sql.shuffle.partitions")).isFalse();
    assertThat(Redaction.isSecretKey("workspace_id")).isFalse();
  }
}
