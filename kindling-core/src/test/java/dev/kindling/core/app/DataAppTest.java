package dev.kindling.core.app;

import static dev.kindling.core.app.TestFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataAppTest {
  @TempDir Path tmp;

  private static final LoadOptions FABRIC_DEV = new LoadOptions("fabric", "dev", null);

  private Path app() throws IOException {
    return TestFiles.pythonApp(Files.createDirectories(tmp.resolve("hello")));
  }

  private static ValidationException loadFails(Path path) {
    return loadFails(path, FABRIC_DEV);
  }

  private static ValidationException loadFails(Path path, LoadOptions options) {
    return (ValidationException)
        assertThatThrownBy(() -> DataApp.load(path, options))
            .isInstanceOf(ValidationException.class)
            .actual();
  }

  private static List<String> paths(DataApp app) {
    return app.files().stream().map(AppFile::path).toList();
  }

  @Test
  void loadsADirectory() throws IOException {
    Path dir = app();
    try (DataApp app = DataApp.load(dir, FABRIC_DEV)) {
      assertThat(app.name()).isEqualTo("hello");
      assertThat(app.manifest().version()).isEqualTo("1.2.0");
      assertThat(app.root()).isEqualTo(dir.toRealPath());
      assertThat(app.isArchive()).isFalse();
      assertThat(paths(app)).containsExactly("app.py", "app.yaml", "pkg/util.py", "settings.yaml");
      AppFile util = app.file("pkg/util.py").orElseThrow();
      assertThat(util.sha256()).isEqualTo(TestFiles.sha256("X = 1\n"));
      assertThat(util.size()).isEqualTo(6);
      assertThat(app.totalBytes()).isEqualTo(app.files().stream().mapToLong(AppFile::size).sum());
    }
    assertThat(dir).isDirectory();
  }

  @Test
  void selectsFilesForThePlatformAndEnvironment() throws IOException {
    Path dir = app();
    write(dir, "settings.fabric.yaml", "");
    write(dir, "settings.databricks.yaml", "");
    write(dir, "settings.dev.yml", "");
    write(dir, "settings.prod.yaml", "");
    write(dir, "settings.local.yaml", "secret: 1\n");
    write(dir, "app.fabric.yaml", "");
    write(dir, "lib/dep.jar", "jar");
    write(dir, "wheels/x-1.0-py3-none-any.whl", "whl");
    write(dir, "requirements.txt", "pandas\n");
    write(dir, "lake-reqs.txt", "x\n");
    write(dir, "sql/q.SQL", "select 1");
    write(dir, "__pycache__/app.cpython-311.pyc", "");
    write(dir, "pkg/__pycache__/util.py", "");
    write(dir, ".git/config.yaml", "");
    write(dir, ".venv/lib/site.py", "");
    write(dir, "venv/lib/site.py", "");
    write(dir, "target/x.jar", "");
    write(dir, ".vscode/settings.yaml", "");
    write(dir, "kda-manifest.json", "{}");
    try (DataApp app = DataApp.load(dir, FABRIC_DEV)) {
      assertThat(paths(app))
          .containsExactly(
              "app.py",
              "app.yaml",
              "lake-reqs.txt",
              "lib/dep.jar",
              "pkg/util.py",
              "requirements.txt",
              "settings.dev.yml",
              "settings.fabric.yaml",
              "settings.yaml",
              "sql/q.SQL",
              "wheels/x-1.0-py3-none-any.whl");
    }
    try (DataApp app = DataApp.load(dir, new LoadOptions("databricks", "prod", null))) {
      assertThat(paths(app))
          .contains("settings.databricks.yaml", "settings.prod.yaml")
          .doesNotContain("settings.fabric.yaml", "settings.dev.yml", "settings.local.yaml");
    }
  }

  @Test
  void appliesIncludeAndExcludeGlobs() throws IOException {
    Path dir = app();
    write(dir, "app.yaml", "name: hello\ninclude: ['data/**']\nexclude: ['pkg/**']\n");
    write(dir, "data/rows.csv", "a,b\n");
    try (DataApp app = DataApp.load(dir, FABRIC_DEV)) {
      assertThat(paths(app))
          .containsExactly("app.py", "app.yaml", "data/rows.csv", "settings.yaml");
    }
  }

  @Test
  void theNameDefaultsToTheDirectoryName() throws IOException {
    Path dir = app();
    write(dir, "app.yaml", "entry_point: app.py\n");
    try (DataApp app = DataApp.load(dir)) {
      assertThat(app.name()).isEqualTo("hello");
    }
  }

  @Test
  void aMissingDirectoryIsNamed() {
    Path missing = tmp.resolve("nope");
    ValidationException e = loadFails(missing);
    assertThat(e.problems()).hasSize(1);
    assertThat(e.getMessage()).contains(missing.toString(), "does not exist");
  }

  @Test
  void anAppYamlGivenInsteadOfItsDirectoryIsNamed() throws IOException {
    Path appYaml = app().resolve("app.yaml");
    assertThat(loadFails(appYaml).getMessage())
        .contains(appYaml.toString(), "pass the app directory that contains app.yaml");
  }

  @Test
  void aMissingAppYamlSaysWhatToAdd() throws IOException {
    Path dir = app();
    Files.delete(dir.resolve("app.yaml"));
    ValidationException e = loadFails(dir);
    assertThat(e.problems()).extracting(Problem::location).containsExactly("app.yaml");
    assertThat(e.getMessage()).contains("is missing", "add an app.yaml with at least `name:`");
  }

  @Test
  void anEntryPointThatIsNotSelectedListsTheSelectedFiles() throws IOException {
    Path dir = app();
    write(dir, "app.yaml", "name: hello\nentry_point: main.py\n");
    ValidationException e = loadFails(dir);
    assertThat(e.problems()).extracting(Problem::location).containsExactly("app.yaml: entry_point");
    assertThat(e.getMessage())
        .contains(
            "'main.py' is not among the selected files",
            "selected: app.py, app.yaml, pkg/util.py, settings.yaml",
            "`include:` glob");
  }

  @Test
  void anEntryPointLeftOutByTheRuleSuggestsAnIncludeGlob() throws IOException {
    Path dir = app();
    write(dir, "app.yaml", "name: hello\nentry_point: run.sh\n");
    write(dir, "run.sh", "echo hi\n");
    ValidationException e = loadFails(dir);
    assertThat(e.getMessage())
        .contains("'run.sh' is not among the selected files (the file exists")
        .contains("include: [\"run.sh\"]");

    write(dir, "app.yaml", "name: hello\nentry_point: run.sh\ninclude: [run.sh]\n");
    try (DataApp app = DataApp.load(dir)) {
      assertThat(app.file("run.sh")).isPresent();
    }
  }

  @Test
  void loadsAJvmApp() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("jvm"));
    write(
        dir,
        "app.yaml",
        "name: jvm\nruntime: jvm\nentry_point: app.jar\nmain_class: a.Main\njars: [lib/a.jar]\n");
    write(dir, "app.jar", "jar");
    write(dir, "lib/a.jar", "jar");
    try (DataApp app = DataApp.load(dir)) {
      assertThat(app.manifest().runtime()).isEqualTo(AppFiles.Runtime.JVM);
      assertThat(paths(app)).containsExactly("app.jar", "app.yaml", "lib/a.jar");
    }
  }

  @Test
  void missingJarsAreNamed() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("jvm"));
    write(
        dir,
        "app.yaml",
        "name: jvm\nruntime: jvm\nentry_point: app.jar\nmain_class: a.Main\n"
            + "jars: [lib/a.jar, lib/b.jar]\nexclude: [lib/b.jar]\n");
    write(dir, "app.jar", "jar");
    write(dir, "lib/b.jar", "jar");
    ValidationException e = loadFails(dir);
    assertThat(e.problems())
        .extracting(Problem::location)
        .containsExactly("app.yaml: jars", "app.yaml: jars");
    assertThat(e.getMessage())
        .contains("'lib/a.jar' is not among the selected files")
        .contains("'lib/b.jar' is not among the selected files (the file exists");
  }

  @Test
  void noSelectedFilesIsAProblem() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("empty"));
    write(dir, "app.yaml", "name: empty\nexclude: ['**']\n");
    write(dir, "notes.md", "");
    ValidationException e = loadFails(dir);
    assertThat(e.problems()).hasSize(1);
    assertThat(e.getMessage()).contains(dir.toRealPath().toString(), "has no files to deploy");
  }

  @Test
  void reportsAppYamlAndFileProblemsTogether() throws IOException {
    Path dir = app();
    write(dir, "app.yaml", "name: hello\nentrypoint: main.py\ndependencies: 5\n");
    Path outside = write(tmp, "outside/secret.py", "x");
    Files.createSymbolicLink(dir.resolve("link.py"), outside);
    ValidationException e = loadFails(dir);
    assertThat(e.problems())
        .extracting(Problem::location)
        .containsExactly("app.yaml: entrypoint", "app.yaml: dependencies", "link.py");
  }

  @Test
  void symlinksOutsideTheAppAreRejected() throws IOException {
    Path dir = app();
    Path outside = write(tmp, "outside/secret.py", "x");
    Files.createSymbolicLink(dir.resolve("pkg/evil.py"), outside);
    Files.createSymbolicLink(dir.resolve("up.yaml"), Path.of("../outside/secret.py"));
    ValidationException e = loadFails(dir);
    assertThat(e.problems())
        .extracting(Problem::location)
        .containsExactly("pkg/evil.py", "up.yaml");
    assertThat(e.getMessage())
        .contains("pkg/evil.py: is a symbolic link to " + outside.toRealPath())
        .contains("outside the app directory");
  }

  @Test
  void symlinksInsideTheAppAreDeployedAsFiles() throws IOException {
    Path dir = app();
    Files.createSymbolicLink(dir.resolve("alias.py"), Path.of("pkg/util.py"));
    try (DataApp app = DataApp.load(dir)) {
      assertThat(app.file("alias.py").orElseThrow().sha256())
          .isEqualTo(app.file("pkg/util.py").orElseThrow().sha256());
    }
  }

  @Test
  void brokenSymlinksAreRejected() throws IOException {
    Path dir = app();
    Files.createSymbolicLink(dir.resolve("gone.py"), Path.of("nowhere.py"));
    assertThat(loadFails(dir).getMessage()).contains("gone.py", "does not exist");
  }

  @Test
  void symlinkedDirectoriesAreNotFollowed() throws IOException {
    Path dir = app();
    write(tmp, "outside/mod.py", "x");
    Files.createSymbolicLink(dir.resolve("ext"), tmp.resolve("outside"));
    Files.createSymbolicLink(dir.resolve("loop"), dir);
    try (DataApp app = DataApp.load(dir)) {
      assertThat(paths(app)).containsExactly("app.py", "app.yaml", "pkg/util.py", "settings.yaml");
    }
  }

  @Test
  void unselectedSymlinksAreIgnored() throws IOException {
    Path dir = app();
    Files.createSymbolicLink(dir.resolve("data.csv"), write(tmp, "outside/data.csv", "x"));
    try (DataApp app = DataApp.load(dir)) {
      assertThat(app.file("data.csv")).isEmpty();
    }
  }

  @Test
  void namesDifferingOnlyInCaseAreRejected() throws IOException {
    Path dir = app();
    write(dir, "Util.py", "a");
    write(dir, "util.py", "b");
    assumeTrue(
        Files.list(dir).filter(p -> p.getFileName().toString().endsWith("til.py")).count() == 2);
    assertThat(loadFails(dir).getMessage()).contains("util.py", "differs from 'Util.py'");
  }

  @Test
  void fileNamesThatCannotBeDeployedAreRejected() throws IOException {
    Path dir = app();
    try {
      write(dir, "a\\b.py", "x");
    } catch (java.nio.file.InvalidPathException e) {
      assumeTrue(false, "this file system has no backslashes in names");
    }
    assertThat(loadFails(dir).getMessage()).contains("a\\b.py", "backslash");
  }

  @Test
  void theEnvironmentDefaultsFromKindlingEnv() {
    String env = System.getenv("KINDLING_ENV");
    String expected = env == null || env.isBlank() ? "default" : env.trim();
    assertThat(LoadOptions.defaults().environment()).isEqualTo(expected);
    assertThat(LoadOptions.defaults().platform()).isEqualTo("local");
    assertThat(LoadOptions.defaults().limits()).isEqualTo(ArchiveLimits.defaults());
    assertThat(LoadOptions.defaults().withEnvironment("x").environment()).isEqualTo("x");
  }
}
