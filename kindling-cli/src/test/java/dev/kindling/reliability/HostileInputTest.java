package dev.kindling.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.error.KindlingException;
import dev.kindling.reliability.Rigs.Platform;
import dev.kindling.reliability.Rigs.Rig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hostile and bad input corpus end to end: every case is refused by {@code deployAsJob} on
 * every platform before any request reaches the emulator (its journal stays empty, its storage
 * unchanged), with a message naming the file or key. Text cases live in {@code
 * src/test/resources/hostile/}; binary archives are generated here.
 */
class HostileInputTest {
  @TempDir Path tmp;

  /** The big generated archives, written once for all platforms. */
  @TempDir static Path shared;

  record Case(String name, Path app, JobConfig.Builder config, String named) {}

  /** The text corpus, kept in the testkit (which cannot depend on the platform modules). */
  static final Path CORPUS =
      Path.of(System.getProperty("basedir", "."))
          .resolve("../kindling-testkit/src/test/resources/hostile")
          .normalize();

  static Path corpus(String name) {
    Path p = CORPUS.resolve(name);
    assertThat(p).as("corpus case " + name).isDirectory();
    return p;
  }

  Path goodApp() throws IOException {
    Path a = Files.createDirectories(tmp.resolve("good"));
    Files.writeString(a.resolve("app.yaml"), "name: good\nversion: 1.0.0\n");
    Files.writeString(a.resolve("app.py"), "print('good')\n");
    return a;
  }

  Path kda(String file, String... entries) throws IOException {
    Path k = tmp.resolve(file);
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(k))) {
      z.putNextEntry(new ZipEntry("app.yaml"));
      z.write("name: hostile\nversion: 1.0.0\n".getBytes());
      z.closeEntry();
      for (String e : entries) {
        z.putNextEntry(new ZipEntry(e));
        z.write("print('pwned')\n".getBytes());
        z.closeEntry();
      }
    }
    return k;
  }

  Path bomb() throws IOException {
    Path k = shared.resolve("bomb.kda");
    if (Files.exists(k)) {
      return k;
    }
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(k))) {
      z.putNextEntry(new ZipEntry("app.yaml"));
      z.write("name: bomb\nversion: 1.0.0\n".getBytes());
      z.closeEntry();
      z.putNextEntry(new ZipEntry("app.py"));
      z.write("print('x')\n".getBytes());
      z.closeEntry();
      z.putNextEntry(new ZipEntry("zeros.bin"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 600; i++) {
        z.write(zeros);
      }
      z.closeEntry();
    }
    return k;
  }

  /** A .kda with a good app.yaml and app.py plus what {@code hostile} adds. */
  Path zip(String file, java.util.function.Consumer<HostileZip> hostile) throws IOException {
    HostileZip z =
        new HostileZip()
            .file("app.yaml", "name: hostile\nversion: 1.0.0\n")
            .file("app.py", "print('hostile')\n");
    hostile.accept(z);
    return z.writeTo(tmp.resolve(file));
  }

  /**
   * About 11 MB on disk, every entry compressing about 190 to 1 (under the ratio limit of 200), 11
   * entries of 195 MiB: more than the 2 GiB total limit once expanded.
   */
  Path large() throws IOException {
    Path k = shared.resolve("large.kda");
    if (Files.exists(k)) {
      return k;
    }
    HostileZip z =
        new HostileZip()
            .file("app.yaml", "name: large\nversion: 1.0.0\n")
            .file("app.py", "print('large')\n");
    for (int i = 0; i < 11; i++) {
      z.large("data/part-" + i + ".bin", 195, 190, i);
    }
    z.writeTo(k);
    return k;
  }

  List<Case> cases() throws Exception {
    List<Case> c = new ArrayList<>();
    c.add(new Case("app.yaml not YAML", corpus("not-yaml"), JobConfig.builder(), "app.yaml"));
    c.add(new Case("app.yaml wrong types", corpus("wrong-types"), JobConfig.builder(), "version"));
    c.add(
        new Case(
            "missing entry point", corpus("missing-entry-point"), JobConfig.builder(), "nope.py"));
    c.add(
        new Case(
            "unknown app.yaml key", corpus("unknown-keys"), JobConfig.builder(), "frobnicate"));
    c.add(new Case("empty job name", goodApp(), JobConfig.builder().jobName(""), "job_name"));
    // Databricks takes any job name up to 4096 characters: no local rule to break
    c.add(
        new Case(
            "job name the platform rejects",
            goodApp(),
            JobConfig.builder().jobName("bad\tname\n" + "x".repeat(300)),
            "job_name"));
    c.add(
        new Case(
            "zip slip", kda("slip.kda", "app.py", "../evil.py"), JobConfig.builder(), "evil.py"));
    c.add(
        new Case(
            "absolute path",
            kda("absolute.kda", "app.py", "/etc/evil.py"),
            JobConfig.builder(),
            "evil.py"));
    c.add(new Case("compression bomb", bomb(), JobConfig.builder(), "zeros.bin"));
    c.add(
        new Case(
            "symlink entry",
            zip("symlink.kda", z -> z.symlink("link.py", "/etc/passwd")),
            JobConfig.builder(),
            "link.py"));
    c.add(
        new Case(
            "duplicate entries",
            zip("duplicate.kda", z -> z.file("app.py", "print('again')\n")),
            JobConfig.builder(),
            "more than once"));
    c.add(
        new Case(
            "non-UTF-8 name",
            zip(
                "non-utf8.kda",
                z ->
                    z.rawName(
                        new byte[] {'b', 'a', 'd', (byte) 0xFF, (byte) 0xFE, '.', 'p', 'y'},
                        "print('x')\n")),
            JobConfig.builder(),
            "bad\\xFF\\xFE.py"));
    c.add(
        new Case(
            "kda manifest lists a missing file",
            new HostileZip()
                .file(
                    "kda-manifest.json",
                    "{\"name\": \"listed\", \"version\": \"1.0.0\","
                        + " \"entry_point\": \"missing_main.py\"}")
                .file("other.py", "print('x')\n")
                .writeTo(tmp.resolve("listed.kda")),
            JobConfig.builder(),
            "missing_main.py"));
    c.add(new Case("11 MB archive expanding past 2 GiB", large(), JobConfig.builder(), "declares"));
    return c;
  }

  @ParameterizedTest
  @EnumSource(Platform.class)
  void everyCaseIsRefusedBeforeAnyRequest(Platform p) throws Exception {
    Rig rig = Rigs.start(p, tmp.resolve("emulator"));
    try (Kindling k = rig.kindling(new WarpScheduler())) {
      Set<Path> before = files(tmp.resolve("emulator"));
      Set<Path> tempBefore = kindlingTemp();
      List<String> problems = new ArrayList<>();
      for (Case c : cases()) {
        if (p == Platform.DATABRICKS && c.name().equals("job name the platform rejects")) {
          continue;
        }
        JobConfig.Builder b = c.config();
        if (p == Platform.DATABRICKS) {
          b.clusterId(dev.kindling.testkit.databricks.DatabricksEmulator.CLUSTER_ID);
        }
        Throwable t = catchThrowable(() -> k.deployer().deployAsJob(c.app(), b.build()));
        if (!(t instanceof KindlingException)) {
          problems.add(c.name() + ": not refused with a KindlingException but " + t);
        } else if (!t.getMessage().contains(c.named())) {
          problems.add(c.name() + ": message does not name " + c.named() + ": " + t.getMessage());
        }
        if (!rig.emulator().journal().isEmpty()) {
          problems.add(
              c.name()
                  + ": "
                  + rig.emulator().journal().size()
                  + " requests were made ("
                  + t
                  + ")");
          rig.emulator().journal().clear();
        }
      }
      assertThat(problems).isEmpty();
      assertThat(files(tmp.resolve("emulator"))).as("nothing written").isEqualTo(before);
      // other builds on this machine may use the temp directory too: only ours count
      Set<Path> left = new java.util.HashSet<>(kindlingTemp());
      left.removeAll(tempBefore);
      assertThat(left.stream().filter(HostileInputTest::ours).toList())
          .as("temporary directories left behind")
          .isEmpty();
    } finally {
      rig.emulator().close();
    }
  }

  /** Kindling's temporary files and directories in the system temp directory. */
  static Set<Path> kindlingTemp() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("kindling"))
          .collect(Collectors.toSet());
    }
  }

  /** Whether a temporary directory holds an app of this corpus. */
  static boolean ours(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .anyMatch(
              f -> {
                try {
                  String t = Files.readString(f);
                  return t.contains("hostile") || t.contains("pwned") || t.contains("large");
                } catch (IOException | java.io.UncheckedIOException e) {
                  return false;
                }
              });
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  static Set<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toSet());
    }
  }
}
