package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.NotFoundException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunIdTest {
  @Test
  void carriesTheJobRunIdAndTheRunTag() {
    RunId id = RunId.of(1099511628001L, "20261127T021000Z-1a2b3c4d");
    assertThat(id.toString()).isEqualTo("1099511628001:20261127T021000Z-1a2b3c4d");
    assertThat(RunId.parse(id.toString())).isEqualTo(id);
  }

  @Test
  void aBareJobRunIdIsAccepted() {
    assertThat(RunId.parse("9223372036854775807"))
        .isEqualTo(new RunId(Long.MAX_VALUE, Optional.empty()));
  }

  @Test
  void anythingElseNamesNoRun() {
    for (String bad :
        new String[] {"", "abc", "12:", ":tag", "12:../x", "99999999999999999999", "1 2", null}) {
      assertThatThrownBy(() -> RunId.parse(bad)).isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void jobIdsAreInt64() {
    assertThat(RunId.parseJobId("1099511627877")).isEqualTo(1099511627877L);
    assertThatThrownBy(() -> RunId.parseJobId("hello-python"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("kindling jobs");
    assertThatThrownBy(() -> RunId.parseJobId("0")).isInstanceOf(NotFoundException.class);
  }
}
