package dev.kindling.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorFactory;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "emulator",
    description =
        "Start a local emulator of a cloud platform's APIs on a loopback port, until Ctrl-C.")
final class EmulatorCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PLATFORM", description = "fabric, databricks or synapse.")
  String platform;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "0",
      description = "Port (0: any free).")
  int port;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Storage directory (default: a temp dir).")
  Path data;

  @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token it accepts.")
  String token;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Map<String, EmulatorFactory> factories = EmulatorFactory.available();
    EmulatorFactory factory = factories.get(platform);
    if (factory == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "no emulator for '"
              + platform
              + "' (available: "
              + (factories.isEmpty() ? "none" : String.join(", ", factories.keySet()))
              + ")");
    }
    Path dir =
        data != null
            ? Files.createDirectories(data)
            : Files.createTempDirectory("kindling-emulator-");
    Emulator emulator = factory.start(new EmulatorOptions(port, dir, token, null));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  emulator.close();
                  stopped.countDown();
                },
                "kindling-emulator-stop"));
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "# "
            + platform
            + " emulator listening on "
            + emulator.baseUrl()
            + " (data in "
            + dir
            + ")");
    out.println(
        "# add this target to kindling.yaml, then: kindling deploy APP -t "
            + platform
            + "-emulator --run --wait");
    ObjectMapper yaml =
        new ObjectMapper(
            new YAMLFactory()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    out.print(
        yaml.writeValueAsString(
            Map.of("targets", Map.of(platform + "-emulator", ordered(emulator.target())))));
    // the last line: whoever reads this output knows the target above is complete
    out.println("# ready; Ctrl-C stops the emulator");
    out.flush();
    stopped.await();
    return ExitCodes.OK;
  }

  /** The target with a stable key order: platform first, auth last, the rest sorted. */
  @SuppressWarnings("unchecked")
  static Object ordered(Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      return value;
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
    ((Map<Object, Object>) map).forEach((k, v) -> sorted.put(String.valueOf(k), ordered(v)));
    if (sorted.containsKey("platform")) {
      out.put("platform", sorted.remove("platform"));
    }
    Object auth = sorted.remove("auth");
    out.putAll(sorted);
    if (auth != null) {
      out.put("auth", auth);
    }
    return out;
  }
}
