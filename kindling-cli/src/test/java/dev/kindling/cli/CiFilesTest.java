package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The GitHub Actions files in {@code .github/}: they parse, declare what they use, and wire the
 * composite action, the reusable workflow and its example caller together.
 */
class CiFilesTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path GITHUB = Cli.REPO.resolve(".github");
  private static final Path ACTION = GITHUB.resolve("actions/kindling-deploy/action.yml");
  private static final Path WORKFLOW = GITHUB.resolve("workflows/kindling-deploy.yml");
  private static final Pattern EXPR =
      Pattern.compile("\\$\\{\\{\\s*(inputs|secrets)\\.([A-Za-z0-9_-]+)");

  private static Set<String> fields(JsonNode node) {
    Set<String> out = new TreeSet<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** The names used as ${{ kind.NAME }} in the file's text. */
  private static Set<String> references(Path file, String kind) throws Exception {
    Set<String> out = new TreeSet<>();
    Matcher m = EXPR.matcher(Files.readString(file));
    while (m.find()) {
      if (m.group(1).equals(kind)) {
        out.add(m.group(2));
      }
    }
    return out;
  }

  @Test
  void theCompositeActionRunsItsScriptWithEveryInput() throws Exception {
    JsonNode action = YAML.readTree(ACTION.toFile());

    assertThat(action.path("name").asText()).isNotBlank();
    assertThat(action.path("description").asText()).isNotBlank();
    assertThat(action.path("runs").path("using").asText()).isEqualTo("composite");
    Set<String> inputs = fields(action.get("inputs"));
    assertThat(inputs).contains("app", "target", "config", "params", "timeout");
    assertThat(action.get("inputs").get("app").get("required").asBoolean()).isTrue();
    assertThat(action.get("inputs").get("target").get("required").asBoolean()).isTrue();
    assertThat(references(ACTION, "inputs")).isEqualTo(inputs);
    assertThat(fields(action.get("outputs"))).contains("job-id", "run-id", "state", "exit-code");

    JsonNode steps = action.get("runs").get("steps");
    assertThat(steps).hasSize(1);
    JsonNode step = steps.get(0);
    assertThat(step.get("shell").asText()).isEqualTo("bash");
    assertThat(step.get("run").asText()).contains("$GITHUB_ACTION_PATH/kindling-deploy.sh");
    assertThat(ACTION.resolveSibling("kindling-deploy.sh")).isRegularFile();
    // every output is read from that step's outputs
    action
        .get("outputs")
        .properties()
        .forEach(
            e ->
                assertThat(e.getValue().get("value").asText())
                    .isEqualTo(
                        "${{ steps." + step.get("id").asText() + ".outputs." + e.getKey() + " }}"));
    // the script reads the inputs the step passes as INPUT_*
    String script = Files.readString(ACTION.resolveSibling("kindling-deploy.sh"));
    step.get("env")
        .fieldNames()
        .forEachRemaining(name -> assertThat(script).as(name).contains(name));
  }

  @Test
  void theReusableWorkflowIsCalledWithInputsAndSecretsAndUsesTheAction() throws Exception {
    JsonNode wf = YAML.readTree(WORKFLOW.toFile());

    JsonNode call = wf.get("on").get("workflow_call");
    assertThat(call).as("on: workflow_call").isNotNull();
    Set<String> inputs = fields(call.get("inputs"));
    assertThat(inputs).contains("app", "target", "config", "params", "timeout", "build-command");
    assertThat(call.get("inputs").get("app").get("required").asBoolean()).isTrue();
    assertThat(references(WORKFLOW, "inputs")).isSubsetOf(inputs);
    assertThat(references(WORKFLOW, "secrets")).isSubsetOf(fields(call.get("secrets")));
    assertThat(fields(call.get("secrets"))).contains("KINDLING_ENV");

    List<String> uses = new ArrayList<>();
    for (JsonNode step : wf.get("jobs").get("deploy").get("steps")) {
      uses.add(step.path("uses").asText());
    }
    assertThat(uses).contains("./.kindling/.github/actions/kindling-deploy");
    JsonNode actionInputs = YAML.readTree(ACTION.toFile()).get("inputs");
    for (JsonNode step : wf.get("jobs").get("deploy").get("steps")) {
      if (step.path("uses").asText().endsWith("kindling-deploy")) {
        assertThat(fields(step.get("with"))).isSubsetOf(fields(actionInputs));
        assertThat(fields(step.get("with"))).contains("app", "target", "cli-jar");
      }
    }
  }

  @Test
  void theExampleCallerPassesTheRequiredInputs() throws Exception {
    JsonNode wf = YAML.readTree(GITHUB.resolve("workflows/kindling-deploy-example.yml").toFile());
    JsonNode job = wf.get("jobs").elements().next();
    assertThat(job.get("uses").asText()).isEqualTo("./.github/workflows/kindling-deploy.yml");
    assertThat(fields(job.get("with"))).contains("app", "target");
    assertThat(Cli.REPO.resolve(job.get("with").get("app").asText()).resolve("app.yaml"))
        .isRegularFile();
  }

  /** The ```yaml blocks of a Markdown file. */
  static List<String> yamlBlocks(Path md) throws Exception {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?ms)^```yaml\\n(.*?)^```").matcher(Files.readString(md));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void theYamlExamplesOfTheDocsParse() throws Exception {
    List<String> ciCd = yamlBlocks(Cli.REPO.resolve("docs/ci-cd.md"));
    assertThat(ciCd).hasSize(3); // the action, the reusable workflow, Azure DevOps
    for (String block : ciCd) {
      assertThat(YAML.readTree(block).isObject()).as(block).isTrue();
    }
    JsonNode azure = YAML.readTree(ciCd.get(2));
    assertThat(azure.get("steps").toString())
        .contains("kindling.jar\\\" deploy")
        .contains("--summary")
        .contains("task.uploadsummary")
        .contains("exit $rc");

    // the kindling.yaml shown in templates.md is the one the templates write
    List<String> templates = yamlBlocks(Cli.REPO.resolve("docs/templates.md"));
    assertThat(templates).hasSize(1);
    JsonNode generated =
        YAML.readTree(
            Cli.REPO
                .resolve(
                    "kindling-cli/src/main/resources/dev/kindling/cli/templates/python/kindling.yaml")
                .toFile());
    assertThat(YAML.readTree(templates.get(0))).isEqualTo(generated);
  }

  @Test
  void theProjectsOwnCiStillRunsTheReadmesTestCommand() throws Exception {
    JsonNode ci = YAML.readTree(GITHUB.resolve("workflows/ci.yml").toFile());
    assertThat(ci.get("jobs").get("verify").get("steps").toString()).contains("bash .ci/run");
  }
}
