package dev.kindling.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.ValidationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KindlingConfigTest {
  private static final String SOURCE = "kindling.yaml";

  private static final String EXAMPLE =
      """
      targets:
        dev:
          platform: fabric
          workspace_id: ${env:FABRIC_WS}
          lakehouse_id: abc
          auth:
            method: token
            token: ${env:KINDLING_TOKEN}
            storage_token: ${env:KINDLING_STORAGE_TOKEN:-}
          job_name: my-app
          executor_memory: 28g
          spark_conf:
            spark.sql.shuffle.partitions: 8
          endpoint: ${env:FABRIC_API:-https://api.fabric.microsoft.com}
        prod:
          platform: databricks
          host: ${env:PROD_HOST}
          auth:
            method: databricks_profile
            profile: PROD
      """;

  private static KindlingConfig parse(String yaml, Map<String, String> env) {
    return KindlingConfig.parse(yaml, SOURCE, env);
  }

  private static List<Problem> targetProblems(String yaml, Map<String, String> env, String target) {
    KindlingConfig config = parse(yaml, env);
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> config.target(target));
    assertThat(e).as("expected target %s to be rejected", target).isNotNull();
    return e.problems();
  }

  private static List<Problem> parseProblems(String yaml) {
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> parse(yaml, Map.of()));
    assertThat(e).as("expected the file to be rejected").isNotNull();
    return e.problems();
  }

  private static Problem onlyTargetProblem(String yaml) {
    List<Problem> problems = targetProblems(yaml, Map.of(), "dev");
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  @Test
  void splitsATargetIntoPlatformAuthJobDefaultsAndSettings() {
    KindlingConfig config =
        parse(EXAMPLE, Map.of("FABRIC_WS", "ws-1", "KINDLING_TOKEN", "tok-dev-123"));

    TargetConfig dev = config.target("dev");

    assertThat(dev.name()).isEqualTo("dev");
    assertThat(dev.platform()).isEqualTo("fabric");
    assertThat(dev.settings())
        .containsOnlyKeys("workspace_id", "endpoint")
        .containsEntry("workspace_id", "ws-1")
        .containsEntry("endpoint", "https://api.fabric.microsoft.com");
    assertThat(dev.auth().method()).isEqualTo(AuthConfig.Method.TOKEN);
    assertThat(dev.auth().token()).contains(Secret.of("tok-dev-123"));
    assertThat(dev.jobDefaults().jobName()).contains("my-app");
    assertThat(dev.jobDefaults().lakehouseId()).contains("abc");
    assertThat(dev.jobDefaults().executorMemory()).contains(MemorySize.parse("28g"));
    assertThat(dev.jobDefaults().sparkConf()).containsEntry("spark.sql.shuffle.partitions", "8");
  }

  @Test
  void targetNamesInFileOrderPlusLocal() {
    KindlingConfig config = parse(EXAMPLE, Map.of());
    assertThat(config.targetNames()).containsExactly("dev", "prod", "local");
    assertThat(KindlingConfig.empty().targetNames()).containsExactly("local");
  }

  @Test
  void envVariableIsSubstitutedInsideText() {
    TargetConfig t =
        parse(
                """
                targets:
                  dev:
                    platform: p
                    url: https://${env:HOST}:${env:PORT:-443}/api
                """,
                Map.of("HOST", "example.com"))
            .target("dev");
    assertThat(t.setting("url")).contains("https://example.com:443/api");
  }

  @Test
  void defaultIsUsedWhenTheVariableIsEmpty() {
    TargetConfig t =
        parse(
                "targets: {dev: {platform: p, region: '${env:REGION:-westeurope}'}}",
                Map.of("REGION", ""))
            .target("dev");
    assertThat(t.setting("region")).contains("westeurope");
  }

  @Test
  void otherDollarBracesAreLeftAlone() {
    TargetConfig t =
        parse("targets: {dev: {platform: p, spark_conf: {a: '${spark.home}/x'}}}", Map.of())
            .target("dev");
    assertThat(t.jobDefaults().sparkConf()).containsEntry("a", "${spark.home}/x");
  }

  @Test
  void missingVariableNamesTheKeyAndTheVariable() {
    List<Problem> problems = targetProblems(EXAMPLE, Map.of("FABRIC_WS", "ws"), "dev");

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("kindling.yaml: targets.dev.auth.token");
              assertThat(p.message()).contains("KINDLING_TOKEN").contains("auth.token");
              assertThat(p.fix()).isEqualTo("set KINDLING_TOKEN or remove auth.token");
            });
  }

  @Test
  void missingVariablesOfAnotherTargetDoNotMatter() {
    KindlingConfig config = parse(EXAMPLE, Map.of("PROD_HOST", "https://adb.example"));

    assertThat(config.target("prod").auth().profile()).contains("PROD");
    assertThat(config.target("prod").setting("host")).contains("https://adb.example");
    assertThat(config.target("local")).isEqualTo(TargetConfig.local());
    assertThat(config.problems())
        .extracting(Problem::location)
        .containsExactly(
            "kindling.yaml: targets.dev.workspace_id", "kindling.yaml: targets.dev.auth.token");
  }

  @Test
  void missingVariableInAJobKeyIsReportedOnce() {
    Problem p = onlyTargetProblem("targets: {dev: {platform: p, executor_memory: '${env:MEM}'}}");
    assertThat(p.location()).isEqualTo("kindling.yaml: targets.dev.executor_memory");
    assertThat(p.fix()).isEqualTo("set MEM or remove executor_memory");
  }

  @Test
  void substitutedValuesAreValidatedAsJobKeys() {
    KindlingConfig config =
        parse(
            "targets: {dev: {platform: p, executor_cores: '${env:CORES}'}}", Map.of("CORES", "4"));
    assertThat(config.target("dev").jobDefaults().executorCores()).contains(4);
  }

  @Test
  void malformedReferenceIsReported() {
    Problem p = onlyTargetProblem("targets: {dev: {platform: p, host: '${env:HOST'}}");
    assertThat(p.message()).contains("`host`").contains("malformed");
  }

  @Test
  void unknownTargetListsKnownTargetsWithSuggestion() {
    KindlingConfig config = parse(EXAMPLE, Map.of());
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> config.target("prd"));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.message()).contains("`prd`");
              assertThat(p.fix()).isEqualTo("did you mean `prod`? known targets: dev, prod, local");
            });
  }

  @Test
  void localTargetExistsWithoutAFile() {
    assertThat(KindlingConfig.empty().target("local")).isEqualTo(TargetConfig.local());
    assertThat(parse("", Map.of()).target("local")).isEqualTo(TargetConfig.local());
    assertThat(parse("targets:\n", Map.of()).targetNames()).containsExactly("local");
  }

  @Test
  void fileMayOverrideTheLocalTarget() {
    TargetConfig local =
        parse("targets: {local: {spark_home: /opt/spark, executor_memory: 2g}}", Map.of())
            .target("local");
    assertThat(local.platform()).isEqualTo("local");
    assertThat(local.auth().method()).isEqualTo(AuthConfig.Method.NONE);
    assertThat(local.setting("spark_home")).contains("/opt/spark");
    assertThat(local.jobDefaults().executorMemory()).contains(MemorySize.parse("2g"));
  }

  @Test
  void platformIsRequired() {
    Problem p = onlyTargetProblem("targets: {dev: {workspace_id: x}}");
    assertThat(p.location()).isEqualTo("kindling.yaml: targets.dev.platform");
    assertThat(p.message()).contains("`platform`");
  }

  @Test
  void misspeltPlatformOrAuthKeyIsReported() {
    List<Problem> problems =
        targetProblems("targets: {dev: {platfrom: x, auht: {method: none}}}", Map.of(), "dev");
    assertThat(problems)
        .extracting(Problem::fix)
        .contains("did you mean `platform`?", "did you mean `auth`?");
  }

  @Test
  void jobKeyProblemsNameTheTargetKey() {
    Problem p = onlyTargetProblem("targets: {dev: {platform: p, executor_memory: 28gb}}");
    assertThat(p.location()).isEqualTo("kindling.yaml: targets.dev.executor_memory");
    assertThat(p.message()).contains("`executor_memory`");
    assertThat(p.fix()).isEqualTo("use 28g");
  }

  @Test
  void reportsEveryProblemOfATargetAtOnce() {
    List<Problem> problems =
        targetProblems(
            """
            targets:
              dev:
                platform: fabric
                executor_memory: 1.5g
                executor_cores: four
                auth:
                  method: tokn
                  tokne: x
            """,
            Map.of(),
            "dev");
    assertThat(problems)
        .extracting(Problem::location)
        .containsExactlyInAnyOrder(
            "kindling.yaml: targets.dev.executor_memory",
            "kindling.yaml: targets.dev.executor_cores",
            "kindling.yaml: targets.dev.auth.method",
            "kindling.yaml: targets.dev.auth.tokne");
  }

  @Test
  void unknownAuthKeyAndMethodGetSuggestions() {
    List<Problem> problems =
        targetProblems(
            "targets: {dev: {platform: p, auth: {method: azure-cl, tenant: t}}}", Map.of(), "dev");
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0).location()).isEqualTo("kindling.yaml: targets.dev.auth.tenant");
    assertThat(problems.get(0).message()).contains("`tenant`");
    assertThat(problems.get(0).fix()).isEqualTo("did you mean `tenant_id`?");
    assertThat(problems.get(1).message()).contains("auth method").contains("azure-cl");
    assertThat(problems.get(1).fix()).startsWith("did you mean `azure_cli`?");
  }

  @Test
  void authMethodsAreCaseAndDashTolerant() {
    assertThat(
            parse("targets: {dev: {platform: p, auth: {method: Managed-Identity}}}", Map.of())
                .target("dev")
                .auth()
                .method())
        .isEqualTo(AuthConfig.Method.MANAGED_IDENTITY);
  }

  @Test
  void defaultAuthWhenAbsent() {
    assertThat(parse("targets: {dev: {platform: p}}", Map.of()).target("dev").auth())
        .isEqualTo(AuthConfig.defaults());
  }

  @Test
  void tokenMethodWithoutToken() {
    Problem p = onlyTargetProblem("targets: {dev: {platform: p, auth: {method: token}}}");
    assertThat(p.location()).isEqualTo("kindling.yaml: targets.dev.auth.token");
    assertThat(p.message()).contains("`auth.token`").contains("missing");
  }

  @Test
  void clientSecretMethodNeedsItsThreeFields() {
    List<Problem> problems =
        targetProblems(
            "targets: {dev: {platform: p, auth: {method: client_secret, tenant_id: t}}}",
            Map.of(),
            "dev");
    assertThat(problems)
        .extracting(Problem::location)
        .containsExactly(
            "kindling.yaml: targets.dev.auth.client_id",
            "kindling.yaml: targets.dev.auth.client_secret");
  }

  @Test
  void emptySecretFromAnOptionalVariableCountsAsAbsent() {
    AuthConfig auth =
        parse(EXAMPLE, Map.of("FABRIC_WS", "w", "KINDLING_TOKEN", "t")).target("dev").auth();
    assertThat(auth.storageToken()).isEmpty();
    assertThat(auth.effectiveStorageToken()).contains(Secret.of("t"));
    Problem p =
        onlyTargetProblem("targets: {dev: {platform: p, auth: {method: token, token: ''}}}");
    assertThat(p.message()).contains("`auth.token`").contains("missing or empty");
  }

  @Test
  void methodNoneTakesNoCredentials() {
    Problem p =
        onlyTargetProblem("targets: {dev: {platform: p, auth: {method: none, client_id: c}}}");
    assertThat(p.message()).contains("`auth.client_id`").contains("none");
  }

  @Test
  void tokenWithAnotherMethodIsReported() {
    Problem p = onlyTargetProblem("targets: {dev: {platform: p, auth: {token: '${env:T:-x}'}}}");
    assertThat(p.message()).contains("`auth.token`").contains("default");
    assertThat(p.fix()).isEqualTo("set `auth.method: token` or remove auth.token");
  }

  @Test
  void authKeysOutsideTheAuthBlockAreReportedWithoutTheirValue() {
    Problem p = onlyTargetProblem("targets: {dev: {platform: p, token: literal-secret-value}}");
    assertThat(p.location()).isEqualTo("kindling.yaml: targets.dev.token");
    assertThat(p.message()).contains("`token`").contains("auth");
    assertThat(p.toString()).doesNotContain("literal-secret-value");
  }

  @Test
  void badSecretValuesAreNotEchoed() {
    List<Problem> problems =
        targetProblems(
            """
            targets:
              dev:
                platform: p
                auth:
                  method: client_secret
                  tenant_id: t
                  client_id: c
                  client_secret: [sekrit-one]
                  token: {value: sekrit-two}
            """,
            Map.of(),
            "dev");
    assertThat(problems).hasSize(2);
    assertThat(problems.toString()).doesNotContain("sekrit-one", "sekrit-two");
    assertThat(problems)
        .extracting(Problem::message)
        .containsExactly(
            "`auth.token` must be text, not a mapping",
            "`auth.client_secret` must be text, not a list");
  }

  @Test
  void literalSecretIsAcceptedAndWarnedAboutWithoutItsValue() {
    String yaml = "targets: {dev: {platform: p, auth: {method: token, token: lit-tok-987}}}";
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    TargetConfig dev;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      dev = parse(yaml, Map.of()).target("dev");
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(dev.auth().token()).contains(Secret.of("lit-tok-987"));
    assertThat(log)
        .contains("WARN")
        .contains("kindling.yaml: targets.dev.auth.token")
        .contains("${env:NAME}")
        .doesNotContain("lit-tok-987");
  }

  @Test
  void toStringOfATargetHidesSecrets() {
    KindlingConfig config =
        parse(
            """
            targets:
              dev:
                platform: fabric
                storage_account_key: ${env:KEY}
                auth:
                  method: token
                  token: ${env:KINDLING_TOKEN}
                  storage_token: ${env:KINDLING_STORAGE_TOKEN}
                spark_conf:
                  fs.azure.sas.token: ${env:SAS}
            """,
            Map.of(
                "KINDLING_TOKEN", "tok-aaa-111",
                "KINDLING_STORAGE_TOKEN", "tok-bbb-222",
                "KEY", "key-ccc-333",
                "SAS", "sas-ddd-444"));

    TargetConfig dev = config.target("dev");

    assertThat(dev.toString())
        .doesNotContain("tok-aaa-111", "tok-bbb-222", "key-ccc-333", "sas-ddd-444")
        .contains("token=Optional[****]")
        .contains("storageToken=Optional[****]");
    assertThat(dev.auth().toString()).doesNotContain("tok-aaa-111").contains("Optional[****]");
    assertThat(config.toString()).doesNotContain("tok-aaa-111");
    assertThat(dev.setting("storage_account_key")).contains("key-ccc-333");
  }

  @Test
  void yamlSyntaxErrorHasLineAndColumnAndNoSourceText() {
    List<Problem> problems =
        parseProblems(
            """
            targets:
              dev:
                platform: p
                auth:
                  token: abc-secret: x
            """);
    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("kindling.yaml: line 5, column 24");
              assertThat(p.message()).startsWith("invalid YAML: ").contains("mapping values");
              assertThat(p.toString()).doesNotContain("abc-secret");
            });
  }

  @Test
  void unterminatedQuoteDoesNotEchoTheLine() {
    List<Problem> problems =
        parseProblems("targets:\n  dev:\n    auth:\n      token: \"quoted-secret\n");
    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).startsWith("kindling.yaml: line ");
              assertThat(p.toString()).doesNotContain("quoted-secret");
            });
  }

  @Test
  void duplicateKeysAreSyntaxErrors() {
    assertThat(parseProblems("targets:\n  dev: {platform: a}\n  dev: {platform: b}\n"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).startsWith("kindling.yaml: line 3, column ");
              assertThat(p.message()).contains("duplicate key `dev`");
            });
  }

  @Test
  void fileLayoutProblems() {
    assertThat(parseProblems("- a\n- b\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("`targets:`"));
    assertThat(parseProblems("target:\n  dev: {platform: p}\n"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("kindling.yaml: target");
              assertThat(p.fix()).isEqualTo("did you mean `targets`?");
            });
    assertThat(parseProblems("targets: [dev]\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("`targets`"));
  }

  @Test
  void targetThatIsNotAMapping() {
    assertThat(onlyTargetProblem("targets:\n  dev:\n").message())
        .contains("`dev`")
        .contains("empty");
    assertThat(onlyTargetProblem("targets: {dev: fabric}").message()).contains("`dev`");
  }

  @Test
  void loadsAFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kindling.yaml");
    Files.writeString(file, "targets:\n  dev:\n    platform: p\n    workspace_id: ${env:WS}\n");

    KindlingConfig config = KindlingConfig.load(file, Map.of("WS", "w-1"));

    assertThat(config.sourceName()).isEqualTo(file.toString());
    assertThat(config.target("dev").setting("workspace_id")).contains("w-1");
    assertThat(config.location("dev")).isEqualTo(file + ": targets.dev");
  }

  @Test
  void loadReportsAMissingFile(@TempDir Path dir) {
    Path file = dir.resolve("kindling.yaml");
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> KindlingConfig.load(file));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo(file.toString());
              assertThat(p.message()).contains("not found");
            });
  }

  @Test
  void unknownSettingsAreReportedAgainstThePlatformsKeys() {
    KindlingConfig config =
        parse(
            "targets: {dev: {platform: p, workspace_id: w, executor_memroy: 2g, workspce_id: x}}",
            Map.of());

    List<Problem> problems = config.unknownSettings("dev", Set.of("workspace_id"));

    assertThat(problems)
        .extracting(Problem::location)
        .containsExactly(
            "kindling.yaml: targets.dev.executor_memroy", "kindling.yaml: targets.dev.workspce_id");
    assertThat(problems)
        .extracting(Problem::fix)
        .containsExactly("did you mean `executor_memory`?", "did you mean `workspace_id`?");
  }
}
