package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.NotFoundException;
import org.junit.jupiter.api.Test;

class SynapseRunIdTest {
  @Test
  void roundTripsPoolBatchTagAndApp() {
    SynapseRunId id = new SynapseRunId("pool1", 42, "20261127T021000Z-1a2b3c4d", "hello-python.v2");
    String text = id.toString();

    assertThat(text).isEqualTo("pool1:42:20261127T021000Z-1a2b3c4d:hello-python.v2");
    assertThat(SynapseRunId.parse(text)).isEqualTo(id);
  }

  @Test
  void theLargestInt32BatchIdParses() {
    assertThat(SynapseRunId.parse("p:2147483647:t:a").batchId()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void malformedIdsAreNotFoundSayingWhatAnIdLooksLike() {
    for (String bad :
        new String[] {
          "",
          "pool1:1:tag",
          "pool1:x:tag:app",
          "1pool:1:t:a",
          "pool1:2147483648:t:a",
          "a:1:t:a:b",
          "pool-1:1:t:a"
        }) {
      assertThatThrownBy(() -> SynapseRunId.parse(bad))
          .as(bad)
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("<pool>:<batch id>:<run tag>:<app>");
    }
    assertThatThrownBy(() -> SynapseRunId.parse(null)).isInstanceOf(NotFoundException.class);
  }
}
