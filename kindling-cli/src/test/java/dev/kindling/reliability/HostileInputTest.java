package dev.kindling.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.error.KindlingException;
import dev.kindling.reliability.Rigs.Platform;
import dev.kindling.reliability.Rigs.Rig;
import java.io.IOException;
import java.net.URISyntaxException;
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

  record Case(String name, Path app, JobConfig.Builder config, String named) {}

  static Path corpus(String name) throws URISyntaxException {
    return Path.of(HostileInputTest.class.getResource("/hostile/" + name).toURI());
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
    Path k = tmp.resolve("bomb.kda");
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
    return c;
  }

  @ParameterizedTest
  @EnumSource(Platform.class)
  void everyCaseIsRefusedBeforeAnyRequest(Platform p) throws Exception {
    Rig rig = Rigs.start(p, tmp.resolve("emulator"));
    try (Kindling k = rig.kindling(new WarpScheduler())) {
      Set<Path> before = files(tmp.resolve("emulator"));
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
    } finally {
      rig.emulator().close();
    }
  }

  static Set<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toSet());
    }
  }
}
