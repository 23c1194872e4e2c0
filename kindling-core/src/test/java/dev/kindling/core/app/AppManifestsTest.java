package dev.kindling.core.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.ValidationException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppManifestsTest {
  @TempDir Path dir;

  private Path yaml(String content) throws IOException {
    return Files.writeString(dir.resolve("app.yaml"), content);
  }

  private AppManifest parse(String content) throws IOException {
    return AppManifests.parse(yaml(content), "dir-name");
  }

  private ValidationException invalid(String content) throws IOException {
    Path file = yaml(content);
    return (ValidationException)
        assertThatThrownBy(() -> AppManifests.parse(file, "dir-name"))
            .isInstanceOf(ValidationException.class)
            .actual();
  }

  private static List<String> locations(ValidationException e) {
    return e.problems().stream().map(Problem::location).toList();
  }

  @Test
  void readsEveryField() throws IOException {
    AppManifest m =
        parse(
            """
            name: sales-report
            version: 2.1.0
            description: Daily sales
            entry_point: main.py
            dependencies:
              - pandas>=2
              - requests
            environment: prod
            metadata:
              owner: data-team
              retries: 3
            runtime: python
            include: ["data/**", "*.csv"]
            exclude: [tests/**]
            """);
    assertThat(m.name()).isEqualTo("sales-report");
    assertThat(m.version()).isEqualTo("2.1.0");
    assertThat(m.description()).isEqualTo("Daily sales");
    assertThat(m.entryPoint()).isEqualTo("main.py");
    assertThat(m.dependencies()).containsExactly("pandas>=2", "requests");
    assertThat(m.environment()).isEqualTo("prod");
    assertThat(m.metadata()).containsEntry("owner", "data-team").containsEntry("retries", 3);
    assertThat(m.runtime()).isEqualTo(AppFiles.Runtime.PYTHON);
    assertThat(m.mainClass()).isEmpty();
    assertThat(m.jars()).isEmpty();
    assertThat(m.include()).containsExactly("data/**", "*.csv");
    assertThat(m.exclude()).containsExactly("tests/**");
  }

  @Test
  void appliesDefaults() throws IOException {
    AppManifest m = parse("description: no name here\n");
    assertThat(m.name()).isEqualTo("dir-name");
    assertThat(m.version()).isEqualTo("1.0.0");
    assertThat(m.entryPoint()).isEqualTo("app.py");
    assertThat(m.environment()).isEqualTo("default");
    assertThat(m.runtime()).isEqualTo(AppFiles.Runtime.PYTHON);
    assertThat(m.dependencies()).isEmpty();
    assertThat(m.metadata()).isEmpty();
  }

  @Test
  void readsAJvmApp() throws IOException {
    AppManifest m =
        parse(
            """
            name: jvm-app
            runtime: JVM
            entry_point: ./build/app.jar
            main_class: com.example.Main
            jars: [lib/a.jar, lib/b.jar]
            """);
    assertThat(m.runtime()).isEqualTo(AppFiles.Runtime.JVM);
    assertThat(m.entryPoint()).isEqualTo("build/app.jar");
    assertThat(m.mainClass()).isEqualTo(Optional.of("com.example.Main"));
    assertThat(m.jars()).containsExactly("lib/a.jar", "lib/b.jar");
  }

  @Test
  void keepsNumericVersionsAsWritten() throws IOException {
    assertThat(parse("name: a\nversion: 1.10\n").version()).isEqualTo("1.10");
    assertThat(parse("name: a\nversion: 2\n").version()).isEqualTo("2");
    assertThat(parse("name: a\nmetadata: {ratio: 1.50}\n").metadata().get("ratio"))
        .isEqualTo(new BigDecimal("1.50"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "entrypoint,   entry_point",
    "entry-point,  entry_point",
    "mainClass,    main_class",
    "dependancies, dependencies",
    "dependency,   dependencies",
    "enviroment,   environment",
    "Name,         name",
    "includes,     include",
  })
  void unknownKeysGetASuggestion(String key, String suggestion) throws IOException {
    ValidationException e = invalid("name: a\n" + key + ": x\n");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).location()).isEqualTo("app.yaml: " + key);
    assertThat(e.getMessage()).contains("unknown key", "did you mean '" + suggestion + "'?");
  }

  @Test
  void unknownKeysWithoutNeighbourListTheKnownKeys() throws IOException {
    ValidationException e = invalid("name: a\ncolour: red\n");
    assertThat(e.getMessage())
        .contains("app.yaml: colour", "unknown key", "name, version, description, entry_point");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "dependencies: 5              | app.yaml: dependencies    | must be a list of strings",
        "dependencies: pandas         | app.yaml: dependencies    | must be a list of strings",
        "dependencies: [pandas, 1]    | app.yaml: dependencies[1] | must be a string",
        "dependencies: ['']           | app.yaml: dependencies[0] | is empty",
        "metadata: [a, b]             | app.yaml: metadata        | must be a mapping",
        "metadata: text               | app.yaml: metadata        | must be a mapping",
        "include: '*.csv'             | app.yaml: include         | must be a list of strings",
        "exclude: {a: b}              | app.yaml: exclude         | must be a list of strings",
        "jars: lib/a.jar              | app.yaml: jars            | must be a list of strings",
        "description: [a]             | app.yaml: description     | must be a string",
        "environment: true            | app.yaml: environment     | must be a string",
        "entry_point: 5               | app.yaml: entry_point     | must be a string",
        "runtime: {a: b}              | app.yaml: runtime         | must be a string",
        "version: [1]                 | app.yaml: version         | must be a string",
        "version: ''                  | app.yaml: version         | is empty",
      })
  void wrongTypesAreReportedAtTheirKey(String line, String location, String message)
      throws IOException {
    ValidationException e = invalid("name: a\n" + line + "\n");
    assertThat(locations(e)).containsExactly(location);
    assertThat(e.getMessage()).contains(location, message);
    assertThat(e.problems().get(0).fix()).isNotEmpty();
  }

  @Test
  void invalidYamlIsReportedWithItsLine() throws IOException {
    ValidationException e = invalid("name: a\ndependencies: [pandas\nversion: 1\n");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).location()).startsWith("app.yaml: line ");
    assertThat(e.getMessage()).contains("is not valid YAML");
  }

  @Test
  void tabsAreNotYaml() throws IOException {
    ValidationException e = invalid("name: a\nmetadata:\n\towner: x\n");
    assertThat(e.getMessage()).contains("app.yaml", "is not valid YAML");
  }

  @Test
  void aTopLevelListIsRejected() throws IOException {
    ValidationException e = invalid("- name: a\n- version: 1\n");
    assertThat(locations(e)).containsExactly("app.yaml");
    assertThat(e.getMessage()).contains("top level must be a mapping", "not a list");
  }

  @Test
  void aTopLevelScalarIsRejected() throws IOException {
    ValidationException e = invalid("just some text\n");
    assertThat(e.getMessage()).contains("top level must be a mapping", "not a string");
  }

  @Test
  void anEmptyFileIsRejected() throws IOException {
    ValidationException e = invalid("# only a comment\n");
    assertThat(e.getMessage()).contains("app.yaml", "is empty", "name: dir-name");
  }

  @Test
  void duplicateKeysAreRejected() throws IOException {
    ValidationException e = invalid("name: a\nname: b\n");
    assertThat(e.getMessage()).contains("app.yaml", "Duplicate field 'name'");
  }

  @Test
  void moreThanOneDocumentIsRejected() throws IOException {
    ValidationException e = invalid("name: a\n---\nname: b\n");
    assertThat(e.getMessage()).contains("more than one YAML document");
  }

  @Test
  void reportsEveryProblemAtOnce() throws IOException {
    ValidationException e =
        invalid(
            """
            name: my app
            entrypoint: main.py
            dependencies: 5
            runtime: pyton
            metadata: [x]
            """);
    assertThat(locations(e))
        .containsExactlyInAnyOrder(
            "app.yaml: entrypoint",
            "app.yaml: name",
            "app.yaml: dependencies",
            "app.yaml: runtime",
            "app.yaml: metadata");
    assertThat(e.getMessage())
        .startsWith("5 problems:")
        .contains("did you mean 'entry_point'?", "did you mean 'python'?", "name: my-app");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "name: my app              | 'my app' is not a valid app name",
        "name: ../etc              | '../etc' is not a valid app name",
        "name: .hidden             | '.hidden' is not a valid app name",
        "name: a/b                 | 'a/b' is not a valid app name",
        "name:                     | is empty",
      })
  void unsafeNamesAreRejected(String line, String message) throws IOException {
    ValidationException e = invalid(line + "\n");
    assertThat(locations(e)).containsExactly("app.yaml: name");
    assertThat(e.getMessage()).contains(message);
  }

  @Test
  void anUnsafeDefaultNameIsRejectedWhenNoNameIsSet() throws IOException {
    Path file = yaml("version: 1\n");
    assertThatThrownBy(() -> AppManifests.parse(file, "my app"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("app.yaml: name")
        .hasMessageContaining("'my app' is not a valid app name")
        .hasMessageContaining("name: my-app");
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource({
    "a, true",
    "hello-python, true",
    "Sales_Report.v2, true",
    "0day, true",
    "-a, false",
    "_a, false",
    "a b, false",
    "a/b, false",
    "é, false",
    "'', false",
  })
  void validNames(String name, boolean valid) {
    assertThat(AppManifests.isValidName(name)).isEqualTo(valid);
  }

  @Test
  void namesUpTo128CharactersAreValid() {
    assertThat(AppManifests.isValidName("a".repeat(128))).isTrue();
    assertThat(AppManifests.isValidName("a".repeat(129))).isFalse();
  }

  @Test
  void aJvmAppNeedsAMainClassAndAJar() throws IOException {
    ValidationException e = invalid("name: a\nruntime: jvm\n");
    assertThat(locations(e)).containsExactly("app.yaml: main_class", "app.yaml: entry_point");
    assertThat(e.getMessage()).contains("is required for `runtime: jvm`", "names the app's jar");
  }

  @Test
  void aJvmEntryPointMustBeAJar() throws IOException {
    ValidationException e =
        invalid("name: a\nruntime: jvm\nmain_class: a.Main\nentry_point: app.py\n");
    assertThat(locations(e)).containsExactly("app.yaml: entry_point");
    assertThat(e.getMessage()).contains("'app.py' is not a jar");
  }

  @Test
  void aMainClassMustBeAJavaName() throws IOException {
    ValidationException e =
        invalid("name: a\nruntime: jvm\nmain_class: com.example.1Main\nentry_point: a.jar\n");
    assertThat(locations(e)).containsExactly("app.yaml: main_class");
  }

  @Test
  void jarsMustBeJars() throws IOException {
    ValidationException e =
        invalid(
            "name: a\nruntime: jvm\nmain_class: a.Main\nentry_point: a.jar\njars: [lib/x.zip]\n");
    assertThat(e.getMessage()).contains("app.yaml: jars[0]", "'lib/x.zip' is not a .jar file");
  }

  @Test
  void pythonAppsTakeNoMainClassOrJars() throws IOException {
    ValidationException e = invalid("name: a\nmain_class: a.Main\njars: [x.jar]\n");
    assertThat(locations(e)).containsExactly("app.yaml: main_class", "app.yaml: jars");
    assertThat(e.getMessage()).contains("add `runtime: jvm`");
  }

  @Test
  void anUnknownRuntimeIsRejected() throws IOException {
    assertThat(invalid("name: a\nruntime: java\n").getMessage())
        .contains("app.yaml: runtime", "'java' is not a runtime", "did you mean 'jvm'?");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      quoteCharacter = '"',
      value = {"../main.py", "/abs/main.py", "C:/main.py", "pkg\\main.py", "a//b.py"})
  void theEntryPointMustBeInsideTheApp(String entryPoint) throws IOException {
    ValidationException e = invalid("name: a\nentry_point: '" + entryPoint + "'\n");
    assertThat(locations(e)).containsExactly("app.yaml: entry_point");
    assertThat(e.getMessage()).contains("is not a path inside the app");
  }

  @Test
  void badGlobsAreRejected() throws IOException {
    ValidationException e = invalid("name: a\ninclude: ['[a-']\nexclude: ['ok/**', '{a,']\n");
    assertThat(locations(e)).containsExactly("app.yaml: include[0]", "app.yaml: exclude[1]");
  }

  @Test
  void levenshtein() {
    assertThat(ManifestReader.levenshtein("kitten", "sitting")).isEqualTo(3);
    assertThat(ManifestReader.levenshtein("", "abc")).isEqualTo(3);
    assertThat(ManifestReader.levenshtein("same", "same")).isZero();
    assertThat(ManifestReader.suggest("zzzzzz", List.of("name", "jars"))).isEmpty();
  }

  @Test
  void readsAPythonKindlingManifest() {
    String json =
        """
        {
          "name": "py-app",
          "version": "0.3.0",
          "description": "from Python",
          "entry_point": "main.py",
          "dependencies": ["pandas"],
          "lake_requirements": [],
          "environment": "production",
          "metadata": {"target_platform": "fabric"},
          "created_at": "2025-01-01T00:00:00.000000",
          "kda_version": "1.0",
          "something_new": true
        }
        """;
    var problems = new dev.kindling.core.error.Problems();
    ManifestReader.Result r =
        AppManifests.parseKdaManifest(json.getBytes(), "file-name", "the archive's name", problems);
    assertThat(problems.asList()).isEmpty();
    assertThat(r.manifest().name()).isEqualTo("py-app");
    assertThat(r.manifest().entryPoint()).isEqualTo("main.py");
    assertThat(r.manifest().environment()).isEqualTo("production");
    assertThat(r.manifest().metadata()).isEqualTo(Map.of("target_platform", "fabric"));
  }
}
