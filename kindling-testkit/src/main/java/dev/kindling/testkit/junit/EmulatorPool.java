package dev.kindling.testkit.junit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.Kindling;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorFactory;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The emulators of one test class, started on first use and stopped (with their data) when the
 * class is done; and the live target when {@code KINDLING_TARGET} is set.
 */
final class EmulatorPool implements AutoCloseable {
  /** Names the live target; an environment variable or a system property. */
  static final String TARGET_VARIABLE = "KINDLING_TARGET";

  /** The config file of the live target; {@code kindling.yaml} when unset. */
  static final String CONFIG_VARIABLE = "KINDLING_CONFIG";

  private static final ObjectMapper JSON = new ObjectMapper();

  record Started(Emulator emulator, Kindling kindling) {}

  private final Map<TestPlatform, Started> started = new EnumMap<>(TestPlatform.class);
  private Path dir;
  private Optional<Kindling> live;

  synchronized Optional<Kindling> live() {
    if (live == null) {
      live = setting(TARGET_VARIABLE).map(t -> Kindling.fromConfig(configFile(), t));
    }
    return live;
  }

  private static Path configFile() {
    return Path.of(setting(CONFIG_VARIABLE).orElse("kindling.yaml"));
  }

  private static Optional<String> setting(String name) {
    String v = System.getProperty(name, System.getenv(name));
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  synchronized Started start(TestPlatform platform) {
    Started s = started.get(platform);
    if (s != null) {
      return s;
    }
    EmulatorFactory factory = EmulatorFactory.available().get(platform.id());
    if (factory == null) {
      throw new IllegalStateException(
          "no " + platform.id() + " emulator on the class path (kindling-testkit provides them)");
    }
    try {
      if (dir == null) {
        dir = Files.createTempDirectory("kindling-test-");
      }
      Path data = Files.createDirectories(dir.resolve(platform.id()));
      Emulator emulator = factory.start(EmulatorOptions.in(data));
      try {
        // the emulator's own kindling.yaml target (JSON is YAML), read like a user's
        Path config = dir.resolve(platform.id() + "-kindling.yaml");
        String name = platform.id() + "-emulator";
        Files.writeString(
            config, JSON.writeValueAsString(Map.of("targets", Map.of(name, emulator.target()))));
        s = new Started(emulator, Kindling.fromConfig(config, name));
      } catch (IOException | RuntimeException e) {
        emulator.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    started.put(platform, s);
    return s;
  }

  @Override
  public synchronized void close() throws IOException {
    for (Started s : started.values()) {
      try {
        s.kindling().close();
      } finally {
        s.emulator().close();
      }
    }
    started.clear();
    if (live != null) {
      live.ifPresent(Kindling::close);
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
      dir = null;
    }
  }
}
