package dev.kindling.core.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the real bootstrap shim with {@code python3} against a local artifacts root and against
 * stand-in {@code mssparkutils}/{@code dbutils} (the emulators' driver, {@code
 * dev/kindling/testkit/emulator/emulated_driver.py}, so the shim is tested against the same
 * stand-ins the emulators use).
 */
class BootstrapShimTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APP = "hello-python";
  private static final String RELEASE = "3f2a9c0d1e4b5a69";
  private static final String TAG = "20261127T021000Z-1a2b3c4d";
  private static final String REMOTE = "abfss://container@account.dfs.core.windows.net/kindling";
  private static final String SECRET = "s3cr3t-value";
  private static final String APP_RAN = "APP-RAN-MARKER";

  /** The interpreter {@code python3} resolves to, or "" if there is none; null until probed. */
  private static String python;

  private static Boolean pip;

  @TempDir Path tmp;
  private Path root;
  private Path shim;
  private Path pipTarget;
  private Path pythonTmp;
  private Path fakePipLog;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    pipTarget = tmp.resolve("pip-target");
    pythonTmp = Files.createDirectories(tmp.resolve("python-tmp"));
    fakePipLog = tmp.resolve("fake-pip.log");
    shim = tmp.resolve(BootstrapShim.FILE_NAME);
    try (InputStream in = BootstrapShim.generate().open()) {
      Files.copy(in, shim);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Java API

  @Test
  void generateServesTheResourceWithItsHash() throws Exception {
    DeployFile f = BootstrapShim.generate();
    byte[] bytes;
    try (InputStream in = f.open()) {
      bytes = in.readAllBytes();
    }
    assertThat(f.path()).isEqualTo("kindling_bootstrap.py");
    assertThat(f.fileName()).isEqualTo(BootstrapShim.FILE_NAME);
    assertThat(f.size()).isEqualTo(bytes.length).isPositive();
    assertThat(f.sha256()).isEqualTo(sha256(bytes));
    assertThat(BootstrapShim.generate()).isSameAs(f);
    try (InputStream again = f.open()) {
      assertThat(again.readAllBytes()).isEqualTo(bytes);
    }
    assertThat(BootstrapShim.version()).hasSize(12).isEqualTo(f.sha256().substring(0, 12));
    // ASCII only: identical bytes whatever the platform's default charset
    for (byte b : bytes) {
      assertThat(b).isNotNegative();
    }
  }

  @Test
  void argumentsAreConfigTokensInTheDocumentedOrder() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("zeta", "last=1");
    params.put("alpha", " spaced value ");
    params.put("kindling.temp_path", "");
    List<String> args = BootstrapShim.arguments("abfss://c@a/root", "app", "r1", "t1", params);
    assertThat(args)
        .containsExactly(
            "config:artifacts_storage_path=abfss://c@a/root",
            "config:app_name=app",
            "config:kindling.release=r1",
            "config:kindling.run_tag=t1",
            "config:zeta=last=1",
            "config:alpha= spaced value ",
            "config:kindling.temp_path=");
    assertThatThrownBy(() -> args.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void jvmArgumentsArePlainKeyValueTokensAfterTheConfigTokens() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("output", "/tmp/out");
    params.put("eq", "a=b");
    assertThat(BootstrapShim.jvmArguments("/root", "app", "r1", "t1", params))
        .containsExactly(
            "config:artifacts_storage_path=/root",
            "config:app_name=app",
            "config:kindling.release=r1",
            "config:kindling.run_tag=t1",
            "output=/tmp/out",
            "eq=a=b");
    assertThatThrownBy(() -> BootstrapShim.jvmArguments("/r", "a", "r", "t", Map.of("a b", "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a b'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a=b", "a b", "tab\tkey", "new\nline", "app_name", "kindling.run_tag"})
  void argumentsRejectBadKeysNamingThem(String key) {
    assertThatThrownBy(() -> BootstrapShim.arguments("/r", "a", "r", "t", Map.of(key, "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + key + "'");
  }

  @Test
  void argumentsRejectEmptyKeysAndNullValues() {
    assertThatThrownBy(() -> BootstrapShim.arguments("/r", "a", "r", "t", Map.of("", "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    Map<String, String> nullValue = new LinkedHashMap<>();
    nullValue.put("k", null);
    assertThatThrownBy(() -> BootstrapShim.arguments("/r", "a", "r", "t", nullValue))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'k'");
  }

  @Test
  void shimIsPython38Syntax() throws Exception {
    requirePython();
    Run r =
        exec(
            List.of(
                python,
                "-c",
                "import ast,sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 8))",
                shim.toString()),
            Map.of());
    assertThat(r.exitCode).as(r.output()).isZero();
  }

  // ------------------------------------------------------------------------------------------
  // Local artifacts root

  private static final String ECHO_APP =
      """
      import json, os, sys
      import helpers.greet
      print("argv=" + json.dumps(sys.argv))
      print("cwd-is-app-dir=%s" % (os.getcwd() == os.environ["KINDLING_APP_DIR"]))
      print("path0-is-app-dir=%s" % (sys.path[0] == os.environ["KINDLING_APP_DIR"]))
      print("run-tag=" + os.environ["KINDLING_RUN_TAG"])
      print("name=" + __name__)
      print(helpers.greet.hello())
      """;

  @Test
  void aRunStartedByThePlatformWithoutARunTagGetsItsOwn() throws Exception {
    requirePython();
    Layout layout =
        new Layout(root)
            .file("app.py", ECHO_APP)
            .file("helpers/__init__.py", "")
            .file("helpers/greet.py", "def hello():\n    return 'hello from helpers'\n");
    layout.release("app.py");
    // what a scheduled run gets: the job's default arguments, which carry no run tag
    List<String> args =
        BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()).stream()
            .filter(a -> !a.startsWith("config:kindling.run_tag="))
            .toList();

    Run r = runLocal(args, fakePip(0));

    assertThat(r.exitCode).as(r.output()).isZero();
    assertThat(r.output()).containsPattern("run-tag=\\d{8}T\\d{6}Z-[0-9a-f]{8}");
  }

  @Test
  void runsTheAppWithConfigTokensAndWritesSuccess() throws Exception {
    requirePython();
    Layout layout =
        new Layout(root)
            .file("app.py", ECHO_APP)
            .file("helpers/__init__.py", "")
            .file("helpers/greet.py", "def hello():\n    return 'hello from helpers'\n");
    layout.release("app.py");
    Map<String, String> params = new LinkedHashMap<>();
    params.put("env", "dev");
    params.put("date", "2026-01-01");
    List<String> args = BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, params);

    Run r = runLocal(args, fakePip(0));

    assertThat(r.exitCode).as(r.output()).isZero();
    JsonNode result = result(root);
    assertThat(result.get("kindling_result").asInt()).isEqualTo(1);
    assertThat(result.get("app").asText()).isEqualTo(APP);
    assertThat(result.get("release").asText()).isEqualTo(RELEASE);
    assertThat(result.get("run_tag").asText()).isEqualTo(TAG);
    assertThat(result.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(result.get("exit_code").asInt()).isZero();
    assertThat(result.get("error").isNull()).isTrue();
    assertThat(result.get("traceback").isNull()).isTrue();
    assertThat(result.get("start").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(result.get("end").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    List<String> tail = tail(result);
    List<String> expectedArgv = new ArrayList<>(List.of("app.py"));
    expectedArgv.addAll(args);
    String argvLine = tail.stream().filter(l -> l.startsWith("argv=")).findFirst().orElseThrow();
    assertThat(JSON.readValue(argvLine.substring(5), new TypeReference<List<String>>() {}))
        .isEqualTo(expectedArgv);
    assertThat(tail)
        .contains(
            "cwd-is-app-dir=True",
            "path0-is-app-dir=True",
            "run-tag=" + TAG,
            "name=__main__",
            "hello from helpers");
    assertThat(r.stdout).contains("hello from helpers", "parameters: env, date");
    assertThat(Files.exists(fakePipLog)).as("pip must not run when nothing is installed").isFalse();
    assertThat(leftovers()).as("temporary directories are removed").isEmpty();
  }

  @Test
  void appExceptionFailsWithErrorAndTraceback() throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "import lib\nprint('before')\nlib.explode()\n")
        .file("lib.py", "def explode():\n    raise ValueError('boom')\n")
        .release("app.py");

    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(r.exitCode).as(r.output()).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("exit_code").asInt()).isEqualTo(1);
    assertThat(result.get("error").asText()).isEqualTo("ValueError: boom");
    String tb = result.get("traceback").asText();
    assertThat(tb)
        .startsWith("Traceback")
        .contains("app.py", "lib.py", "explode", "ValueError: boom")
        .doesNotContain("kindling_bootstrap.py", "runpy");
    assertThat(tail(result)).contains("before", "ValueError: boom");
    assertThat(r.stderr).contains("ValueError: boom");
  }

  @Test
  void setResultRecordsTheLastJsonValueAndRefusesBadOnes() throws Exception {
    requirePython();
    new Layout(root)
        .file(
            "app.py",
            String.join(
                "\n",
                "import kindling, kindling_runtime",
                "assert kindling is kindling_runtime",
                "for bad in (float('nan'), object(), 'x' * 70000):",
                "    try:",
                "        kindling.set_result(bad)",
                "    except ValueError as e:",
                "        print('refused:', e)",
                "kindling.set_result({'first': True})",
                "kindling.set_result({'rows': 3, 'text': 'caf\\u00e9'})",
                "result = 'ignored: set_result was called'",
                ""))
        .release("app.py");

    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(r.exitCode).as(r.output()).isZero();
    JsonNode result = result(root);
    assertThat(result.get("result").toString()).isEqualTo("{\"rows\":3,\"text\":\"caf\u00e9\"}");
    assertThat(result.has("result_error")).isFalse();
    List<String> refused = tail(result).stream().filter(l -> l.startsWith("refused:")).toList();
    assertThat(refused).hasSize(3);
    assertThat(refused.get(0)).contains("kindling.set_result: the value is not JSON");
    assertThat(refused.get(1)).contains("not JSON");
    assertThat(refused.get(2)).contains("70002 bytes as JSON, over the 64 KiB limit");
  }

  @Test
  void aModuleLevelResultIsTheValueUnlessItIsNotJson() throws Exception {
    requirePython();
    new Layout(root).file("app.py", "result = [1, 'two', None]\n").release("app.py");
    Run ok = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));
    assertThat(ok.exitCode).as(ok.output()).isZero();
    assertThat(result(root).get("result").toString()).isEqualTo("[1,\"two\",null]");

    Path other = Files.createDirectories(tmp.resolve("other-root"));
    new Layout(other).file("app.py", "result = {1, 2}\n").release("app.py");
    Run bad = runLocal(BootstrapShim.arguments(other.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(bad.exitCode).as("an unusable value does not fail the run").isZero();
    JsonNode result = result(other);
    assertThat(result.has("result")).isFalse();
    assertThat(result.get("result_error").asText())
        .contains("module-level result")
        .contains("not JSON");
  }

  @Test
  void aValueSetBeforeAFailureIsKeptAndAnInstalledKindlingPackageIsNotShadowed() throws Exception {
    requirePython();
    new Layout(root)
        .file(
            "app.py",
            "import kindling, kindling_runtime\n"
                + "print('own kindling:', kindling.OWN)\n"
                + "kindling_runtime.set_result({'step': 1})\n"
                + "raise RuntimeError('later failure')\n")
        .file("kindling/__init__.py", "OWN = True\n")
        .release("app.py");

    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(r.exitCode).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("result").toString()).isEqualTo("{\"step\":1}");
    assertThat(tail(result)).contains("own kindling: True");
  }

  @Test
  void sysExitWithCodeFailsWithThatCode() throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "import sys\nprint('exiting')\nsys.exit(3)\n")
        .release("app.py");

    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(r.exitCode).as(r.output()).isEqualTo(3);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("exit_code").asInt()).isEqualTo(3);
    assertThat(result.get("error").asText()).contains("3");
    assertThat(tail(result)).contains("exiting");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sys.exit()", "sys.exit(None)", "sys.exit(0)"})
  void sysExitZeroOrNoneSucceeds(String exit) throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "import sys\n" + exit + "\nprint('unreachable')\n")
        .release("app.py");

    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(r.exitCode).as(r.output()).isZero();
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(result.get("exit_code").asInt()).isZero();
    assertThat(result.get("error").isNull()).isTrue();
    assertThat(r.stdout).doesNotContain("unreachable");
  }

  @Test
  void hashMismatchFailsWithoutRunningTheApp() throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "print('" + APP_RAN + "')\n")
        .tampered("conf/settings.yaml", "a: 1\n", "a: 2\n")
        .release("app.py");

    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(r.exitCode).as(r.output()).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("error").asText()).contains("conf/settings.yaml", "sha256 mismatch");
    assertThat(r.output()).doesNotContain(APP_RAN);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void missingBlobFailsNamingIt() throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "print('" + APP_RAN + "')\n")
        .missing("data/lookup.csv", "a,b\n")
        .release("app.py");

    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(r.exitCode).as(r.output()).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("error").asText()).contains("data/lookup.csv", "not found");
    assertThat(r.output()).doesNotContain(APP_RAN);
  }

  @Test
  void missingWheelListedInTheManifestFails() throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "print('" + APP_RAN + "')\n")
        .missing("wheels/kpkg_demo-0.1-py3-none-any.whl", wheel("kpkg-demo", "0.1", "kpkg", ""))
        .release("app.py");

    Run r =
        runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()), fakePip(0));

    assertThat(r.exitCode).as(r.output()).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("error").asText()).contains("wheels/kpkg_demo-0.1-py3-none-any.whl");
    assertThat(Files.exists(fakePipLog)).isFalse();
    assertThat(r.output()).doesNotContain(APP_RAN);
  }

  @Test
  void missingManifestFails() throws Exception {
    requirePython();

    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()));

    assertThat(r.exitCode).as(r.output()).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("error").asText())
        .contains("data-apps/" + APP + "/releases/" + RELEASE + ".json");
  }

  @Test
  void missingArgumentsFailWithoutAResult() throws Exception {
    requirePython();

    Run r = runLocal(List.of("config:app_name=" + APP, "config:kindling.run_tag=" + TAG));

    assertThat(r.exitCode).isEqualTo(1);
    assertThat(r.stderr).contains("config:artifacts_storage_path", "config:kindling.release");
    assertThat(r.stderr).doesNotContain("Traceback");
  }

  @Test
  void localWheelsAreInstalledOfflineAndImportable() throws Exception {
    requirePython();
    requirePip();
    new Layout(root)
        .file(
            "app.py", "import kpkg, kfw\nprint('kpkg=' + kpkg.VALUE)\nprint('kfw=' + kfw.VALUE)\n")
        .file(
            "wheels/kpkg_demo-0.1-py3-none-any.whl",
            wheel("kpkg-demo", "0.1", "kpkg", "VALUE = 'from-app-wheel'\n"))
        .release("app.py");
    Path packages = Files.createDirectories(root.resolve("packages"));
    Files.write(
        packages.resolve("kfw_demo-0.2-py3-none-any.whl"),
        wheel("kfw-demo", "0.2", "kfw", "VALUE = 'from-packages'\n"));

    Map<String, String> env = new LinkedHashMap<>();
    env.put("PIP_CONFIG_FILE", "/dev/null");
    env.put("PIP_NO_INDEX", "1");
    Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()), env);

    assertThat(r.exitCode).as(r.output()).isZero();
    assertThat(tail(result(root))).contains("kpkg=from-app-wheel", "kfw=from-packages");
    assertThat(pipTarget.resolve("kpkg").resolve("__init__.py")).exists();
    assertThat(pipTarget.resolve("kfw").resolve("__init__.py")).exists();
  }

  @Test
  void wheelInstallIsOfflineAndPicksTheNewestFrameworkWheel() throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "print('" + APP_RAN + "')\n")
        .file("wheels/kpkg_demo-0.1-py3-none-any.whl", wheel("kpkg-demo", "0.1", "kpkg", ""))
        .release("app.py");
    Path packages = Files.createDirectories(root.resolve("packages"));
    for (String v : List.of("0.9.0", "0.10.0", "0.10.0rc1", "0.2")) {
      Files.write(packages.resolve("kfw_demo-" + v + "-py3-none-any.whl"), new byte[] {1});
    }
    Files.writeString(packages.resolve("README.txt"), "not a wheel");

    Run r =
        runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()), fakePip(0));

    assertThat(r.exitCode).as(r.output()).isZero();
    assertThat(r.stdout).contains(APP_RAN);
    List<String> pipArgs = onlyPipCall();
    assertThat(pipArgs).startsWith("install").contains("--no-index", "--target", "--upgrade");
    assertThat(pipArgs.stream().filter(a -> a.endsWith(".whl")))
        .hasSize(2)
        .anyMatch(a -> a.endsWith("/wheels/kpkg_demo-0.1-py3-none-any.whl"))
        .anyMatch(a -> a.endsWith("/kfw_demo-0.10.0-py3-none-any.whl"));
    assertThat(pipArgs.stream().filter(a -> a.equals("--find-links"))).hasSize(2);
  }

  @Test
  void appYamlDependenciesComeFromTheIndex() throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "print('" + APP_RAN + "')\n")
        .file(
            "app.yaml",
            """
            name: hello-python
            dependencies:
              - requests>=2.31  # http
              - "pyyaml==6.0.1"
            metadata:
              owner: data-team
              tags:
                - not-a-dependency
            """)
        .release("app.py");

    Run r =
        runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()), fakePip(0));

    assertThat(r.exitCode).as(r.output()).isZero();
    List<String> pipArgs = onlyPipCall();
    assertThat(pipArgs).doesNotContain("--no-index", "not-a-dependency");
    assertThat(pipArgs).endsWith("requests>=2.31", "pyyaml==6.0.1");
  }

  @Test
  void pipFailureFailsTheRunWithPipsOutput() throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "print('" + APP_RAN + "')\n")
        .file("app.yaml", "dependencies: [requests]\n")
        .release("app.py");

    Run r =
        runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, TAG, Map.of()), fakePip(2));

    assertThat(r.exitCode).as(r.output()).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("error").asText())
        .contains("pip install failed with exit code 2", "fake pip: resolution impossible");
    assertThat(tail(result)).contains("fake pip: resolution impossible for the requested wheels");
    assertThat(r.output()).doesNotContain(APP_RAN);
  }

  @Test
  void secretsAreNeverPrintedByTheShimNorStoredInTheResult() throws Exception {
    requirePython();
    Map<String, String> params = new LinkedHashMap<>();
    params.put("password", SECRET);
    params.put("connection", "Server=x;Password=" + SECRET);

    // success, app failure and bootstrap failure
    List<Layout> layouts =
        List.of(
            new Layout(root).file("app.py", "print('ok')\n"),
            new Layout(root).file("app.py", "raise RuntimeError('failed')\n"),
            new Layout(root).file("app.py", "print('ok')\n").tampered("x.txt", "a", "b"));
    int i = 0;
    for (Layout layout : layouts) {
      String tag = TAG + "-" + i++;
      layout.release("app.py");
      Run r = runLocal(BootstrapShim.arguments(root.toString(), APP, RELEASE, tag, params));
      assertThat(r.output()).contains("password", "connection").doesNotContain(SECRET);
      String result = Files.readString(resultPath(root, tag));
      assertThat(result).doesNotContain(SECRET);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Stand-in storage utils (Fabric/Synapse mssparkutils, Databricks dbutils)

  @ParameterizedTest
  @ValueSource(strings = {"mssparkutils", "dbutils"})
  void runsThroughStorageUtils(String kind) throws Exception {
    requirePython();
    Layout layout =
        new Layout(root)
            .file(
                "app.py",
                "import sys\nprint('params=' + ' '.join(sys.argv[5:]))\n"
                    + "print('utils-in-globals=%s' % ('"
                    + kind
                    + "' in globals()))\n")
            .file("lib/util.py", "X = 1\n");
    layout.release("app.py");
    Map<String, String> params = new LinkedHashMap<>();
    params.put("env", "prod");
    List<String> args = BootstrapShim.arguments(REMOTE, APP, RELEASE, TAG, params);

    Run r = runWithUtils(kind, args, fakePip(0));

    assertThat(r.exitCode).as(r.output()).isZero();
    assertThat(r.stdout).contains("storage: __main__." + kind);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(tail(result)).contains("params=config:env=prod", "utils-in-globals=True");
    String base = REMOTE + "/data-apps/" + APP;
    assertThat(accessLog())
        .contains(
            "cp " + base + "/releases/" + RELEASE + ".json",
            "cp " + base + "/" + layout.blob("app.py"),
            "cp " + base + "/" + layout.blob("lib/util.py"),
            "put " + base + "/runs/" + TAG + "/result.json");
    assertThat(Files.exists(fakePipLog)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mssparkutils", "dbutils"})
  void appFailureIsRecordedThroughStorageUtils(String kind) throws Exception {
    requirePython();
    new Layout(root).file("app.py", "raise KeyError('missing')\n").release("app.py");

    Run r =
        runWithUtils(kind, BootstrapShim.arguments(REMOTE, APP, RELEASE, TAG, Map.of()), Map.of());

    assertThat(r.exitCode).as(r.output()).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("error").asText()).isEqualTo("KeyError: 'missing'");
    assertThat(accessLog())
        .contains("put " + REMOTE + "/data-apps/" + APP + "/runs/" + TAG + "/result.json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mssparkutils", "dbutils"})
  void missingBlobThroughStorageUtilsFails(String kind) throws Exception {
    requirePython();
    new Layout(root)
        .file("app.py", "print('" + APP_RAN + "')\n")
        .missing("wheels/kpkg_demo-0.1-py3-none-any.whl", "zip")
        .release("app.py");

    Run r =
        runWithUtils(
            kind, BootstrapShim.arguments(REMOTE, APP, RELEASE, TAG, Map.of()), fakePip(0));

    assertThat(r.exitCode).as(r.output()).isEqualTo(1);
    JsonNode result = result(root);
    assertThat(result.get("state").asText()).isEqualTo("FAILED");
    assertThat(result.get("error").asText()).contains("wheels/kpkg_demo-0.1-py3-none-any.whl");
    assertThat(r.output()).doesNotContain(APP_RAN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mssparkutils", "dbutils"})
  void frameworkWheelsAreListedAndCopiedThroughStorageUtils(String kind) throws Exception {
    requirePython();
    new Layout(root).file("app.py", "print('" + APP_RAN + "')\n").release("app.py");
    Path packages = Files.createDirectories(root.resolve("packages"));
    Files.write(packages.resolve("kfw_demo-0.2-py3-none-any.whl"), new byte[] {1, 2, 3});
    Files.createDirectories(packages.resolve("old.whl.d"));

    Run r =
        runWithUtils(
            kind, BootstrapShim.arguments(REMOTE, APP, RELEASE, TAG, Map.of()), fakePip(0));

    assertThat(r.exitCode).as(r.output()).isZero();
    assertThat(accessLog())
        .contains(
            "ls " + REMOTE + "/packages",
            "cp " + REMOTE + "/packages/kfw_demo-0.2-py3-none-any.whl");
    List<String> pipArgs = onlyPipCall();
    assertThat(pipArgs).contains("--no-index");
    assertThat(pipArgs.stream().filter(a -> a.endsWith(".whl")))
        .singleElement()
        .satisfies(a -> assertThat(a).endsWith("/kfw_demo-0.2-py3-none-any.whl"));
  }

  // ------------------------------------------------------------------------------------------
  // Helpers

  /** A local artifacts root for app {@link #APP}, laid out per the contract. */
  private static final class Layout {
    private final Path root;
    private final List<Map<String, Object>> files = new ArrayList<>();
    private final Map<String, String> blobs = new LinkedHashMap<>();

    Layout(Path root) {
      this.root = root;
    }

    Layout file(String path, String content) throws IOException {
      return file(path, content.getBytes(UTF_8));
    }

    Layout file(String path, byte[] content) throws IOException {
      return entry(path, content, content);
    }

    /** Declares {@code declared} in the manifest but stores {@code stored} (same size). */
    Layout tampered(String path, String declared, String stored) throws IOException {
      return entry(path, declared.getBytes(UTF_8), stored.getBytes(UTF_8));
    }

    /** Declares the file in the manifest without storing its blob. */
    Layout missing(String path, String declared) throws IOException {
      return missing(path, declared.getBytes(UTF_8));
    }

    Layout missing(String path, byte[] declared) throws IOException {
      return entry(path, declared, null);
    }

    private Layout entry(String path, byte[] declared, byte[] stored) throws IOException {
      String sha = sha256(declared);
      String name = path.substring(path.lastIndexOf('/') + 1);
      String blob = "data-apps/" + APP + "/blobs/" + sha + "/" + name;
      if (stored != null) {
        Path p = root.resolve(blob);
        Files.createDirectories(p.getParent());
        Files.write(p, stored);
      }
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("path", path);
      f.put("size", declared.length);
      f.put("sha256", sha);
      f.put("blob", blob);
      files.add(f);
      blobs.put(path, blob);
      return this;
    }

    /** The blob path relative to {@code data-apps/<app>/}. */
    String blob(String path) {
      return blobs.get(path).substring(("data-apps/" + APP + "/").length());
    }

    void release(String entryPoint) throws IOException {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kindling_release", 1);
      m.put("app", APP);
      m.put("version", "1.0.0");
      m.put("release", RELEASE);
      m.put("created", "2026-11-27T02:10:00Z");
      m.put("runtime", "python");
      m.put("entry_point", entryPoint);
      m.put("main_class", null);
      m.put("jars", List.of());
      m.put("files", files);
      Path p = root.resolve("data-apps/" + APP + "/releases/" + RELEASE + ".json");
      Files.createDirectories(p.getParent());
      Files.write(p, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
    }
  }

  /** A minimal valid pure-Python wheel holding package {@code pkg}. */
  private static byte[] wheel(String dist, String version, String pkg, String init)
      throws IOException {
    String info = dist.replace('-', '_') + "-" + version + ".dist-info/";
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(pkg + "/__init__.py", init.getBytes(UTF_8));
    entries.put(
        info + "METADATA",
        ("Metadata-Version: 2.1\nName: " + dist + "\nVersion: " + version + "\n").getBytes(UTF_8));
    entries.put(
        info + "WHEEL",
        "Wheel-Version: 1.0\nGenerator: kindling-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
            .getBytes(UTF_8));
    StringBuilder record = new StringBuilder();
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      String digest = Base64.getUrlEncoder().withoutPadding().encodeToString(digest(e.getValue()));
      record.append(e.getKey()).append(",sha256=").append(digest).append(',');
      record.append(e.getValue().length).append('\n');
    }
    record.append(info).append("RECORD,,\n");
    entries.put(info + "RECORD", record.toString().getBytes(UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  private record Run(int exitCode, String stdout, String stderr) {
    String output() {
      return stdout + stderr;
    }
  }

  private Run runLocal(List<String> args) throws Exception {
    return runLocal(args, Map.of());
  }

  private Run runLocal(List<String> args, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(python, shim.toString()));
    cmd.addAll(args);
    return exec(cmd, env);
  }

  private Run runWithUtils(String kind, List<String> args, Map<String, String> env)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                python,
                resource("dev/kindling/testkit/emulator/emulated_driver.py").toString(),
                kind,
                REMOTE,
                root.toString(),
                tmp.resolve("access.log").toString(),
                shim.toString()));
    cmd.addAll(args);
    return exec(cmd, env);
  }

  /** Environment putting a stand-in pip, exiting with {@code exitCode}, first on the path. */
  private Map<String, String> fakePip(int exitCode) throws URISyntaxException {
    return Map.of(
        "PYTHONPATH", resource("shim/fakepip").toString(),
        "FAKE_PIP_LOG", fakePipLog.toString(),
        "FAKE_PIP_EXIT", Integer.toString(exitCode));
  }

  private Run exec(List<String> cmd, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    Map<String, String> e = pb.environment();
    e.remove("PYTHONPATH");
    e.remove("PYTHONHOME");
    e.remove("PYTHONSTARTUP");
    e.put("PYTHONDONTWRITEBYTECODE", "1");
    e.put("PYTHONIOENCODING", "utf-8");
    e.put("TMPDIR", pythonTmp.toString());
    e.put("KINDLING_PIP_TARGET", pipTarget.toString());
    e.putAll(env);
    Path out = Files.createTempFile(tmp, "stdout", ".txt");
    Path err = Files.createTempFile(tmp, "stderr", ".txt");
    pb.redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + cmd);
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private List<String> onlyPipCall() throws IOException {
    List<String> lines = Files.readAllLines(fakePipLog);
    assertThat(lines).hasSize(1);
    return JSON.readValue(lines.get(0), new TypeReference<List<String>>() {});
  }

  private List<String> accessLog() throws IOException {
    Path log = tmp.resolve("access.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  private List<String> leftovers() throws IOException {
    try (Stream<Path> s = Files.list(pythonTmp)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("kindling")).toList();
    }
  }

  private static Path resultPath(Path root, String tag) {
    return root.resolve("data-apps/" + APP + "/runs/" + tag + "/result.json");
  }

  private static JsonNode result(Path root) throws IOException {
    Path p = resultPath(root, TAG);
    assertThat(p).as("result.json").exists();
    return JSON.readTree(p.toFile());
  }

  private static List<String> tail(JsonNode result) {
    List<String> lines = new ArrayList<>();
    result.get("output_tail").forEach(n -> lines.add(n.asText()));
    return lines;
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(BootstrapShimTest.class.getClassLoader().getResource(name).toURI());
  }

  /**
   * Skips the test unless {@code python3} is on the PATH. Runs use the interpreter it resolves to
   * (skipping wrapper scripts such as pyenv's shims, which cost ~0.1 s per process).
   */
  private static synchronized void requirePython() {
    if (python == null) {
      String out = output("python3", "-c", "import sys; print(sys.executable)");
      python = out == null || out.isBlank() ? "" : out.strip();
    }
    Assumptions.assumeFalse(python.isEmpty(), "python3 is not on PATH");
  }

  private static synchronized void requirePip() {
    if (pip == null) {
      pip = output(python, "-m", "pip", "--version") != null;
    }
    Assumptions.assumeTrue(pip, "pip is not available for python3");
  }

  /** The command's stdout, or null if it can't run or fails. */
  private static String output(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest(bytes));
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
