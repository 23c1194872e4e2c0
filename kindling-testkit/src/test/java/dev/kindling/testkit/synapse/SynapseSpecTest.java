package dev.kindling.testkit.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The emulator's required-field lists are the specs' ({@code ../shared/specs/synapse}, beside the
 * checkout); skipped where the specs are not present.
 */
class SynapseSpecTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path specs() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path s = p.resolveSibling("shared").resolve("specs/synapse/stable/2020-12-01");
      if (Files.isDirectory(s)) {
        return s;
      }
      Path inside = p.resolve("shared/specs/synapse/stable/2020-12-01");
      if (Files.isDirectory(inside)) {
        return inside;
      }
    }
    return null;
  }

  private static List<String> required(JsonNode definitions, String name) {
    List<String> out = new ArrayList<>();
    definitions.path(name).path("required").forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void requiredFieldsMatchTheSpecs() throws Exception {
    Path dir = specs();
    assumeTrue(dir != null, "shared/specs/synapse not found beside the checkout");
    JsonNode sjd =
        JSON.readTree(dir.resolve("entityTypes/SparkJobDefinition.json").toFile())
            .path("definitions");
    JsonNode sjdApi =
        JSON.readTree(dir.resolve("sparkJobDefinitions.json").toFile()).path("definitions");
    JsonNode livy = JSON.readTree(dir.resolve("sparkJob.json").toFile()).path("definitions");

    assertThat(SynapseSpec.DEFINITION_REQUIRED)
        .containsExactlyInAnyOrderElementsOf(required(sjd, "SparkJobDefinition"));
    assertThat(SynapseSpec.JOB_PROPERTIES_REQUIRED)
        .containsExactlyInAnyOrderElementsOf(required(sjd, "SparkJobProperties"));
    assertThat(SynapseSpec.RESOURCE_REQUIRED)
        .containsExactlyInAnyOrderElementsOf(required(sjdApi, "SparkJobDefinitionResource"));
    assertThat(SynapseSpec.BATCH_OPTIONS_REQUIRED)
        .containsExactlyInAnyOrderElementsOf(required(livy, "SparkBatchJobOptions"));
    for (String f : SynapseSpec.INTEGER_FIELDS) {
      assertThat(
              livy.path("SparkBatchJobOptions").path("properties").path(f).path("format").asText())
          .as(f)
          .isEqualTo("int32");
    }
  }

  @Test
  void theSpecExamplesPassTheChecks() throws Exception {
    Path dir = specs();
    assumeTrue(dir != null, "shared/specs/synapse not found beside the checkout");
    JsonNode create =
        JSON.readTree(dir.resolve("examples/SparkJobDefinitions_Create.json").toFile());
    JsonNode batch =
        JSON.readTree(dir.resolve("examples/SparkFrontend_SparkBatch_Create.json").toFile());

    assertThat(SynapseSpec.checkDefinition(create.path("parameters").path("sparkJobDefinition")))
        .isEmpty();
    assertThat(SynapseSpec.checkBatchOptions(batch.path("parameters").path("sparkBatchJobOptions")))
        .isEmpty();
  }
}
