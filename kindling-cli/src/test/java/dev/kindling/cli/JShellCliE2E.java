package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kindling jshell}: the startup snippet's names work, on local, the fake and an emulator.
 */
class JShellCliE2E {
  @TempDir Path home;
  @TempDir Path work;

  private Cli.Result jshell(String script, String... args) throws Exception {
    Path input = work.resolve("input.jsh");
    Files.writeString(input, script + "\n/exit\n");
    String[] all = new String[args.length + 1];
    all[0] = "jshell";
    System.arraycopy(args, 0, all, 1, args.length);
    return new Cli(home, work).runWithInput(input, all);
  }

  private static String hello() {
    return Cli.REPO.resolve("examples/hello-python").toString().replace('\\', '/');
  }

  @Test
  void deploysAndRunsOnTheLocalTargetByDefault() throws Exception {
    Cli.Result r =
        jshell(
            "var d = deployer.deployAsJob(Path.of(\""
                + hello()
                + "\"), config);\n"
                + "var run = deployer.start(d.jobId(), Map.of(\"name\", \"JShell\"));\n"
                + "var status = run.await(Duration.ofMinutes(2));\n"
                + "System.out.println(\"STATE=\" + status.state());\n"
                + "System.out.println(run.logs().output());");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("Kindling: Kindling{target=local, platform=local}");
    assertThat(r.out()).contains("STATE=SUCCEEDED").contains("JShell");
  }

  @Test
  void theFakeNeedsNoPlatform() throws Exception {
    Cli.Result r =
        jshell(
            "var d = deployer.deployAsJob(Path.of(\""
                + hello()
                + "\"), config);\n"
                + "System.out.println(\"CALLS=\" + fake.cloud().calls());",
            "--fake");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("CALLS=[Call[method=deploySparkJob");
  }

  @Test
  void targetsPrintWithoutTheirSecrets() throws Exception {
    try (FabricEmulator emulator = FabricEmulator.start(work.resolve("fabric"))) {
      Files.writeString(
          work.resolve("kindling.yaml"),
          new ObjectMapper()
              .writeValueAsString(Map.of("targets", Map.of("emu", emulator.target()))));

      Cli.Result r =
          jshell(
              "System.out.println(\"TARGET=\" + kindling.target());\n"
                  + "System.out.println(\"JOBS=\" + deployer.listJobs());",
              "-t",
              "emu");

      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.out())
          .contains("TARGET=TargetConfig[name=emu, platform=fabric")
          .contains("JOBS=[]");
      assertThat(r.all())
          .doesNotContain(emulator.apiToken())
          .doesNotContain(emulator.storageToken());
    }
  }
}
