package dev.kindling.core.app;

import static dev.kindling.core.app.TestFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KdaArchiveTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

  @TempDir Path tmp;

  private Path app() throws IOException {
    return TestFiles.pythonApp(Files.createDirectories(tmp.resolve("hello")));
  }

  private static List<String> entryNames(Path kda) throws IOException {
    try (ZipFile zip = new ZipFile(kda.toFile())) {
      return zip.stream().map(ZipEntry::getName).toList();
    }
  }

  private static JsonNode manifestOf(Path kda) throws IOException {
    try (ZipFile zip = new ZipFile(kda.toFile());
        InputStream in = zip.getInputStream(zip.getEntry("kda-manifest.json"))) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void roundTripKeepsFilesAndHashes() throws IOException {
    Path kda;
    List<AppFile> original;
    AppManifest manifest;
    try (DataApp app = DataApp.load(app())) {
      original = app.files();
      manifest = app.manifest();
      kda = KdaArchive.write(app, tmp.resolve("dist/hello.kda"), CLOCK);
    }
    assertThat(kda).isEqualTo(tmp.resolve("dist/hello.kda"));
    assertThat(listing(tmp.resolve("dist"))).containsExactly("hello.kda");

    Path root;
    try (DataApp loaded = DataApp.load(kda)) {
      root = loaded.root();
      assertThat(loaded.isArchive()).isTrue();
      assertThat(loaded.manifest()).isEqualTo(manifest);
      assertThat(loaded.files())
          .extracting(AppFile::path, AppFile::size, AppFile::sha256)
          .containsExactlyElementsOf(
              original.stream()
                  .map(f -> org.assertj.core.groups.Tuple.tuple(f.path(), f.size(), f.sha256()))
                  .toList());
      assertThat(root).isDirectory();
      assertThat(root.resolve("kda-manifest.json")).doesNotExist();
      try (InputStream in = loaded.file("app.py").orElseThrow().open()) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo("print('hello')\n");
      }
    }
    assertThat(root).doesNotExist();
  }

  @Test
  void writesSortedDeflatedEntriesAndThePythonManifest() throws IOException {
    Path dir = app();
    write(dir, "lake-reqs.txt", "# comment\n\nlake-a==1\n  lake-b  \n");
    write(
        dir,
        "app.yaml",
        "name: hello\nversion: 1.2.0\ndescription: hi\ndependencies: [pandas]\n"
            + "environment: prod\nmetadata: {owner: me}\n");
    Path kda;
    try (DataApp app = DataApp.load(dir)) {
      kda = KdaArchive.write(app, tmp.resolve("out.kda"), CLOCK);
    }
    List<String> names = entryNames(kda);
    List<String> sorted = new ArrayList<>(names);
    Collections.sort(sorted);
    assertThat(names)
        .isEqualTo(sorted)
        .containsExactly(
            "app.py",
            "app.yaml",
            "kda-manifest.json",
            "lake-reqs.txt",
            "pkg/util.py",
            "settings.yaml");
    try (ZipFile zip = new ZipFile(kda.toFile())) {
      assertThat(zip.stream()).allMatch(e -> e.getMethod() == ZipEntry.DEFLATED);
    }

    JsonNode m = manifestOf(kda);
    assertThat(m.properties().stream().map(java.util.Map.Entry::getKey).toList())
        .containsExactly(
            "name",
            "version",
            "description",
            "entry_point",
            "dependencies",
            "lake_requirements",
            "environment",
            "metadata",
            "created_at",
            "kda_version");
    assertThat(m.get("name").asText()).isEqualTo("hello");
    assertThat(m.get("version").asText()).isEqualTo("1.2.0");
    assertThat(m.get("description").asText()).isEqualTo("hi");
    assertThat(m.get("entry_point").asText()).isEqualTo("app.py");
    assertThat(m.get("dependencies").toString()).isEqualTo("[\"pandas\"]");
    assertThat(m.get("lake_requirements").toString()).isEqualTo("[\"lake-a==1\",\"lake-b\"]");
    assertThat(m.get("environment").asText()).isEqualTo("prod");
    assertThat(m.get("metadata").toString()).isEqualTo("{\"owner\":\"me\"}");
    assertThat(m.get("created_at").asText()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(m.get("kda_version").asText()).isEqualTo("1.0");
  }

  @Test
  void theManifestIsPrettyJson() throws IOException {
    try (DataApp app = DataApp.load(app())) {
      String json =
          new String(KdaArchive.manifestJson(app, CLOCK.instant()), StandardCharsets.UTF_8);
      assertThat(json)
          .startsWith("{\n  \"name\": \"hello\",\n")
          .contains("\"dependencies\": [],\n", "\"metadata\": {},\n")
          .endsWith("\"kda_version\": \"1.0\"\n}\n");
    }
  }

  @Test
  void aJvmManifestHasRuntimeMainClassAndJars() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("jvm"));
    write(
        dir,
        "app.yaml",
        "name: jvm\nruntime: jvm\nentry_point: app.jar\nmain_class: a.Main\njars: [lib/a.jar]\n");
    write(dir, "app.jar", "jar");
    write(dir, "lib/a.jar", "jar");
    Path kda;
    try (DataApp app = DataApp.load(dir)) {
      kda = KdaArchive.write(app, tmp, CLOCK);
    }
    assertThat(kda).isEqualTo(tmp.resolve("jvm-v1.0.0.kda"));
    JsonNode m = manifestOf(kda);
    assertThat(m.get("runtime").asText()).isEqualTo("jvm");
    assertThat(m.get("main_class").asText()).isEqualTo("a.Main");
    assertThat(m.get("jars").toString()).isEqualTo("[\"lib/a.jar\"]");
  }

  @Test
  void writingToADirectoryUsesNameAndVersionAndLeavesNoTempFile() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("dist"));
    Files.writeString(out.resolve("hello-v1.2.0.kda"), "old");
    try (DataApp app = DataApp.load(app())) {
      Path kda = KdaArchive.write(app, out, CLOCK);
      assertThat(kda).isEqualTo(out.resolve("hello-v1.2.0.kda"));
    }
    assertThat(listing(out)).containsExactly("hello-v1.2.0.kda");
    assertThat(entryNames(out.resolve("hello-v1.2.0.kda"))).contains("app.py");
  }

  @Test
  void aFileChangedAfterLoadingFailsTheWrite() throws IOException {
    Path dir = app();
    try (DataApp app = DataApp.load(dir)) {
      Files.writeString(dir.resolve("app.py"), "print('changed')\n");
      Path target = tmp.resolve("dist/x.kda");
      assertThatThrownBy(() -> KdaArchive.write(app, target, CLOCK))
          .isInstanceOf(KindlingException.class)
          .hasMessageContaining("app.py changed after the app was loaded");
      assertThat(target).doesNotExist();
      assertThat(listing(tmp.resolve("dist"))).isEmpty();
    }
  }

  @Test
  void loadsAnArchiveWithoutManifest() throws IOException {
    Path kda =
        new RawZip()
            .file("app.yaml", "name: cli-app\nentry_point: main.py\n")
            .file("main.py", "print(1)\n")
            .file("README.md", "not deployed")
            .writeTo(tmp.resolve("whatever.kda"));
    try (DataApp app = DataApp.load(kda)) {
      assertThat(app.name()).isEqualTo("cli-app");
      assertThat(app.files()).extracting(AppFile::path).containsExactly("app.yaml", "main.py");
    }
  }

  @Test
  void anArchiveWithoutManifestOrAppYamlIsNamedAfterTheFile() throws IOException {
    Path kda =
        new RawZip()
            .dir("pkg/")
            .file("pkg/mod.py", "X = 1\n")
            .file("app.py", "print(1)\n")
            .writeTo(tmp.resolve("my_app.kda"));
    try (DataApp app = DataApp.load(kda)) {
      assertThat(app.name()).isEqualTo("my_app");
      assertThat(app.manifest().entryPoint()).isEqualTo("app.py");
      assertThat(app.files()).extracting(AppFile::path).containsExactly("app.py", "pkg/mod.py");
    }
  }

  @Test
  void anArchiveWithAnUnsafeFileNameAndNoManifestIsRejected() throws IOException {
    Path kda = new RawZip().file("app.py", "x").writeTo(tmp.resolve("my app.kda"));
    assertThatThrownBy(() -> DataApp.load(kda))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("my app.kda")
        .hasMessageContaining("rename the archive to my-app.kda");
  }

  @Test
  void anArchiveWithOnlyAPythonManifestIsReadFromIt() throws IOException {
    String manifest =
        """
        {"name": "py-app", "version": "0.3.0", "description": "", "entry_point": "main.py",
         "dependencies": ["pandas"], "lake_requirements": [], "environment": "production",
         "metadata": {"target_platform": "fabric"}, "created_at": "2025-01-01T00:00:00",
         "kda_version": "1.0"}
        """;
    Path kda =
        new RawZip()
            .file("kda-manifest.json", manifest)
            .file("main.py", "print(1)\n")
            .writeTo(tmp.resolve("py-app-fabric-v0.3.0.kda"));
    try (DataApp app = DataApp.load(kda)) {
      assertThat(app.name()).isEqualTo("py-app");
      assertThat(app.manifest().version()).isEqualTo("0.3.0");
      assertThat(app.manifest().entryPoint()).isEqualTo("main.py");
      assertThat(app.manifest().dependencies()).containsExactly("pandas");
      assertThat(app.manifest().runtime()).isEqualTo(AppFiles.Runtime.PYTHON);
      assertThat(app.files()).extracting(AppFile::path).containsExactly("main.py");
    }
  }

  @Test
  void aBrokenManifestIsReported() throws IOException {
    Path kda =
        new RawZip()
            .file("kda-manifest.json", "{\"name\": \"a\", \"entry_point\": [1]}")
            .file("app.py", "print(1)\n")
            .writeTo(tmp.resolve("a.kda"));
    assertThatThrownBy(() -> DataApp.load(kda))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("kda-manifest.json: entry_point")
        .hasMessageContaining("must be a string");
  }

  @Test
  void anArchiveEntryPointMustBeSelected() throws IOException {
    Path kda =
        new RawZip()
            .file("app.yaml", "name: a\nentry_point: main.py\n")
            .file("app.py", "print(1)\n")
            .writeTo(tmp.resolve("a.kda"));
    assertThatThrownBy(() -> DataApp.load(kda))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("app.yaml: entry_point: 'main.py' is not among the selected files");
  }

  @Test
  void anArchiveWithNoDeployableFilesIsRejected() throws IOException {
    Path kda = new RawZip().file("README.md", "x").writeTo(tmp.resolve("docs.kda"));
    assertThatThrownBy(() -> DataApp.load(kda))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("docs.kda: has no files to deploy");
  }

  @Test
  void closeDeletesTheExtractedDirectoryAndIsIdempotent() throws IOException {
    Path kda;
    try (DataApp app = DataApp.load(app())) {
      kda = KdaArchive.write(app, tmp.resolve("a.kda"), CLOCK);
    }
    Path parent = Files.createDirectories(tmp.resolve("extract"));
    DataApp loaded = DataApp.load(kda, LoadOptions.defaults(), parent);
    assertThat(loaded.root().getParent()).isEqualTo(parent.toRealPath());
    assertThat(listing(parent)).hasSize(1);
    loaded.close();
    loaded.close();
    assertThat(listing(parent)).isEmpty();
    assertThatThrownBy(() -> loaded.files().get(0).open()).isInstanceOf(IOException.class);
  }

  @Test
  void aFailedLoadLeavesNothingBehind() throws IOException {
    Path kda =
        new RawZip()
            .file("app.yaml", "name: a\ndependencies: 5\n")
            .file("app.py", "x")
            .writeTo(tmp.resolve("a.kda"));
    Path parent = Files.createDirectories(tmp.resolve("extract"));
    assertThatThrownBy(() -> DataApp.load(kda, LoadOptions.defaults(), parent))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("app.yaml: dependencies");
    assertThat(listing(parent)).isEmpty();
  }
}
