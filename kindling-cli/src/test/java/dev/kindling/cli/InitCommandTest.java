package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kindling.core.config.KindlingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

/** {@code kindling init}, in process: templates, substitution, validation and safe writing. */
class InitCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path SOURCES = Path.of("src/main/resources/dev/kindling/cli/templates");

  @TempDir Path tmp;

  record Result(int exit, String out, String err) {}

  static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cmd = KindlingCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void listsTheThreeTemplates() throws Exception {
    Result text = cli("init", "--list");
    assertThat(text.exit()).isZero();
    assertThat(text.out()).contains("python ").contains("pyspark ").contains("java-spark ");

    Result json = cli("init", "--list", "-o", "json");
    List<String> names =
        JSON.readTree(json.out()).get("templates").findValuesAsText("name").stream().toList();
    assertThat(names).containsExactly("python", "pyspark", "java-spark");
  }

  @ParameterizedTest
  @ValueSource(strings = {"python", "pyspark", "java-spark"})
  void filesTxtListsEveryFileOfTheTemplate(String template) throws IOException {
    Set<String> onDisk;
    Path dir = SOURCES.resolve(template);
    try (Stream<Path> s = Files.walk(dir)) {
      onDisk =
          s.filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString().replace('\\', '/'))
              .filter(p -> !p.equals("files.txt"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertThat(new TreeSet<>(Templates.named(template).orElseThrow().files())).isEqualTo(onDisk);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python", "pyspark", "java-spark"})
  void generatesEveryFileWithEveryPlaceholderFilled(String template) throws Exception {
    Path app = tmp.resolve("sales-report");
    Result r = cli("init", template, app.toString(), "-o", "json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get("name").asText()).isEqualTo("sales-report");
    Set<String> written = new TreeSet<>();
    try (Stream<Path> s = Files.walk(app)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        written.add(app.relativize(p).toString());
        String text = Files.readString(p, StandardCharsets.UTF_8);
        assertThat(text).as(p.toString()).doesNotContain("{{").doesNotContain("}}");
      }
    }
    assertThat(written).isEqualTo(new TreeSet<>(list(json)));
    assertThat(Files.readString(app.resolve("app.yaml"))).contains("name: sales-report");
    assertThat(Files.readString(app.resolve(".gitignore"))).isNotBlank();
    // no temporary directory left next to it
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("sales-report");
    }
  }

  private static List<String> list(JsonNode json) {
    return java.util.stream.StreamSupport.stream(json.get("files").spliterator(), false)
        .map(JsonNode::asText)
        .toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"python", "pyspark", "java-spark"})
  void kindlingYamlHasALocalAndTwoEmulatorTargetsThatResolve(String template) throws Exception {
    Path app = tmp.resolve("my-app");
    assertThat(cli("init", template, app.toString()).exit()).isZero();

    KindlingConfig config = KindlingConfig.load(app.resolve("kindling.yaml"), Map.of());
    assertThat(config.targetNames()).contains("local", "databricks-emulator", "synapse-emulator");
    for (String t : List.of("local", "databricks-emulator", "synapse-emulator")) {
      assertThat(config.problems(t)).as(t).isEmpty();
      assertThat(config.target(t).platform()).isEqualTo(t.replace("-emulator", ""));
    }
    // the emulator URL comes from the environment when it is set
    KindlingConfig moved =
        KindlingConfig.load(
            app.resolve("kindling.yaml"),
            Map.of("KINDLING_DATABRICKS_EMULATOR_URL", "http://127.0.0.1:1234"));
    assertThat(moved.target("databricks-emulator").settings().toString())
        .contains("http://127.0.0.1:1234");
  }

  @Test
  void thePythonAppValidatesAndItsTestsAreNotDeployed() throws Exception {
    Path app = tmp.resolve("word-stats");
    assertThat(cli("init", "python", app.toString()).exit()).isZero();

    Result v =
        cli(
            "validate",
            app.toString(),
            "-t",
            "local",
            "-c",
            app.resolve("kindling.yaml").toString(),
            "-o",
            "json");

    assertThat(v.exit()).as(v.err()).isZero();
    JsonNode json = JSON.readTree(v.out());
    assertThat(json.get("app").asText()).isEqualTo("word-stats");
    // app.yaml, main.py, word_stats/__init__.py, word_stats/logic.py and the bootstrap shim
    assertThat(json.get("files").asInt()).isEqualTo(5);
    assertThat(app.resolve("word_stats/logic.py")).exists();
    assertThat(Files.readString(app.resolve("tests/test_logic.py")))
        .contains("from word_stats.logic import");
  }

  @Test
  void theJavaSparkPomIsWellFormedWithKindlingsCoordinatesAndVersion() throws Exception {
    Path app = tmp.resolve("daily-counts");
    Result r =
        cli(
            "init",
            "java-spark",
            app.toString(),
            "--package",
            "org.acme.counts",
            "--group-id",
            "org.acme");
    assertThat(r.exit()).as(r.err()).isZero();

    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(app.resolve("pom.xml").toFile());
    XPath x = XPathFactory.newInstance().newXPath();
    assertThat(x.evaluate("/project/groupId", pom)).isEqualTo("org.acme");
    assertThat(x.evaluate("/project/artifactId", pom)).isEqualTo("daily-counts");
    assertThat(x.evaluate("/project/build/finalName", pom)).isEqualTo("daily-counts");
    Map<String, String> versions = Templates.versions();
    String kindlingVersion = x.evaluate("/project/properties/kindling.version", pom);
    assertThat(kindlingVersion)
        .isEqualTo(versions.get("kindling_version"))
        .matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(x.evaluate("/project/properties/spark.version", pom))
        .isEqualTo(versions.get("spark_version"))
        .matches("\\d+\\.\\d+\\.\\d+");
    assertThat(
            x.evaluate(
                "/project/dependencyManagement/dependencies/dependency[artifactId='kindling-bom']"
                    + "/groupId",
                pom))
        .isEqualTo("dev.kindling");
    assertThat(
            x.evaluate(
                "/project/dependencyManagement/dependencies/dependency[artifactId='kindling-bom']"
                    + "/version",
                pom))
        .isEqualTo("${kindling.version}");
    assertThat(
            x.evaluate(
                "/project/dependencies/dependency[artifactId='kindling-testkit']/scope", pom))
        .isEqualTo("test");
    assertThat(
            x.evaluate("/project/dependencies/dependency[artifactId='spark-sql_2.13']/scope", pom))
        .isEqualTo("provided");

    // the job's class is in the package's directory and app.yaml points at it and at the jar
    Path job = app.resolve("src/main/java/org/acme/counts/WordCountJob.java");
    assertThat(Files.readString(job)).startsWith("package org.acme.counts;");
    assertThat(app.resolve("src/test/java/org/acme/counts/WordCountJobTest.java")).exists();
    assertThat(app.resolve("src/test/java/org/acme/counts/DeployIT.java")).exists();
    JsonNode appYaml = YAML.readTree(app.resolve("app.yaml").toFile());
    assertThat(appYaml.get("main_class").asText()).isEqualTo("org.acme.counts.WordCountJob");
    assertThat(appYaml.get("entry_point").asText()).isEqualTo("lib/daily-counts.jar");
    assertThat(appYaml.get("runtime").asText()).isEqualTo("jvm");
  }

  @Test
  void theJavaSparkAppBeforeItsBuildFailsValidationNamingTheJar() {
    Path app = tmp.resolve("counts");
    assertThat(cli("init", "java-spark", app.toString()).exit()).isZero();

    Result v =
        cli(
            "validate",
            app.toString(),
            "-t",
            "local",
            "-c",
            app.resolve("kindling.yaml").toString());

    assertThat(v.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(v.err()).contains("lib/counts.jar");
  }

  @Test
  void reportsEveryBadValueAtOnceAndWritesNothing() throws IOException {
    Path app = tmp.resolve("x");
    Result r =
        cli(
            "init",
            "java-spark",
            app.toString(),
            "--name",
            "Bad Name",
            "--package",
            "com.example.class",
            "--group-id",
            "a..b");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err())
        .contains("3 problems")
        .contains("--name 'Bad Name'")
        .contains("bad-name")
        .contains("--package 'com.example.class'")
        .contains("--group-id 'a..b'");
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void theNameComesFromTheDirectoryAndABadOneSaysToPassName() throws IOException {
    Result ok = cli("init", "python", tmp.resolve("nightly-job").toString());
    assertThat(ok.exit()).isZero();
    assertThat(Files.readString(tmp.resolve("nightly-job/app.yaml"))).contains("name: nightly-job");

    Result bad = cli("init", "python", tmp.resolve("My Job").toString());
    assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("the DIR's name").contains("--name").contains("my-job");
    assertThat(tmp.resolve("My Job")).doesNotExist();
  }

  @Test
  void aPythonReservedNameIsRefused() {
    Result r = cli("init", "python", tmp.resolve("import").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("Python package 'import'");
  }

  @Test
  void javaRulesApplyToJavaSparkOnlyAndPythonRulesToPythonOnly() throws IOException {
    // `int` is a Java keyword (package com.example.int) but a fine Python package name
    assertThat(cli("init", "python", tmp.resolve("int").toString()).exit()).isZero();
    Result java = cli("init", "java-spark", tmp.resolve("j/int").toString());
    assertThat(java.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(java.err()).contains("com.example.int");
    // `import` is a Python keyword, not a problem for a Java module (package com.example.import
    // would be: so give another package)
    Result javaImport =
        cli("init", "java-spark", tmp.resolve("import").toString(), "--package", "org.acme.imp");
    assertThat(javaImport.exit()).as(javaImport.err()).isZero();

    Result misplaced = cli("init", "pyspark", tmp.resolve("p").toString(), "--package", "org.acme");
    assertThat(misplaced.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(misplaced.err()).contains("--package").contains("java-spark template only");
    assertThat(tmp.resolve("p")).doesNotExist();
  }

  @Test
  void anUnknownTemplateOrMissingArgumentsAreUsageErrors() {
    Result unknown = cli("init", "scala", tmp.resolve("a").toString());
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("'scala'").contains("python, pyspark, java-spark");

    Result missing = cli("init", "python");
    assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("give a TEMPLATE and a DIR");
    assertThat(tmp.resolve("a")).doesNotExist();
  }

  @Test
  void refusesANonEmptyDirectoryUnlessForced() throws IOException {
    Path app = tmp.resolve("existing");
    Files.createDirectories(app);
    Files.writeString(app.resolve("notes.txt"), "mine");
    Files.writeString(app.resolve("main.py"), "old");

    Result refused = cli("init", "python", app.toString());
    assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("is not empty (2 entries)").contains("--force");
    assertThat(app.resolve("app.yaml")).doesNotExist();
    assertThat(Files.readString(app.resolve("main.py"))).isEqualTo("old");

    Result forced = cli("init", "python", app.toString(), "--force");
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(Files.readString(app.resolve("notes.txt"))).isEqualTo("mine");
    assertThat(Files.readString(app.resolve("main.py"))).contains("def main(argv)");
    assertThat(app.resolve("app.yaml")).exists();
    try (Stream<Path> s = Files.list(app)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains("kindling-init"));
    }
  }

  @Test
  void anEmptyDirectoryIsFilled() throws IOException {
    Path app = tmp.resolve("empty");
    Files.createDirectories(app);
    assertThat(cli("init", "pyspark", app.toString()).exit()).isZero();
    assertThat(app.resolve("data/sample.txt")).exists();
    assertThat(app.resolve("empty/logic.py")).exists();
  }

  @Test
  void withForceADirectoryInTheWayIsReportedBeforeAnythingIsWritten() throws IOException {
    Path app = tmp.resolve("clash");
    Files.createDirectories(app.resolve("app.yaml"));
    Files.writeString(app.resolve("main.py"), "old");

    Result r = cli("init", "python", app.toString(), "--force");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("app.yaml").contains("is a directory");
    assertThat(Files.readString(app.resolve("main.py"))).isEqualTo("old");
    assertThat(app.resolve("kindling.yaml")).doesNotExist();
  }

  @Test
  void aFileWhereTheDirectoryShouldBeIsReported() throws IOException {
    Path file = Files.writeString(tmp.resolve("taken"), "x");
    Result r = cli("init", "python", file.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("is a file, not a directory");
    assertThat(Files.readString(file)).isEqualTo("x");
  }
}
