package dev.kindling.testkit.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The emulators' Spark driver: runs a deployed main Python file (normally the bootstrap shim) in a
 * child {@code python3}, with a stand-in for the platform's storage utilities that reads and writes
 * the emulator's storage. The app's real output and exit code become the run's logs and state.
 */
public final class EmulatedDriver {
  /** Which storage utilities the driver offers the app. */
  public enum Utils {
    MSSPARKUTILS("mssparkutils"),
    DBUTILS("dbutils"),
    NONE("none");

    private final String python;

    Utils(String python) {
      this.python = python;
    }
  }

  private final Process process;
  private final Path output;

  private EmulatedDriver(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /**
   * Starts a driver.
   *
   * @param python the interpreter
   * @param utils the storage utilities offered
   * @param remoteRoot the remote URL prefix ({@code abfss://…}, {@code dbfs:/…}) mapped to {@code
   *     localRoot}
   * @param localRoot the emulator's directory behind {@code remoteRoot}
   * @param mainFile the local copy of the file the platform would execute
   * @param args its arguments
   * @param runDir where the driver keeps its output ({@code driver.log})
   */
  public static EmulatedDriver start(
      String python,
      Utils utils,
      String remoteRoot,
      Path localRoot,
      Path mainFile,
      List<String> args,
      Path runDir) {
    try {
      Files.createDirectories(runDir);
      Path harness = runDir.resolve("emulated_driver.py");
      try (InputStream in =
          Objects.requireNonNull(
              EmulatedDriver.class.getResourceAsStream("emulated_driver.py"),
              "emulated_driver.py resource")) {
        Files.copy(in, harness, StandardCopyOption.REPLACE_EXISTING);
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(python);
      cmd.add(harness.toString());
      cmd.add(utils.python);
      cmd.add(remoteRoot);
      cmd.add(localRoot.toString());
      cmd.add("-");
      cmd.add(mainFile.toString());
      cmd.addAll(args);
      Path output = runDir.resolve("driver.log");
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(runDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("PYTHONUNBUFFERED", "1");
      pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      return new EmulatedDriver(pb.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the emulated driver with " + python, e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code once the driver has ended. */
  public OptionalInt exitCode() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  /** Completes with the exit code when the driver ends. */
  public CompletableFuture<Integer> onExit() {
    return process.onExit().thenApply(Process::exitValue);
  }

  /** Everything the driver printed so far. */
  public String output() {
    try {
      return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The driver's log file. */
  public Path outputFile() {
    return output;
  }

  /** Kills the driver and its children; returns once they are gone (at most ~10 s). */
  public void kill() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(0, process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
  }
}
