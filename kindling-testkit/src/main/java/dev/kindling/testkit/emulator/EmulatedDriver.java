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
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The emulators' Spark driver: runs a deployed main Python file (normally the bootstrap shim) in a
 * child {@code python3}, with a stand-in for the platform's storage utilities that reads and writes
 * the emulator's storage; or a JVM app's main class on Spark in local mode ({@link #startJvm}). The
 * app's real output and exit code become the run's logs and state.
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

  /** The system property naming Spark's class path file (as for the local platform). */
  public static final String SPARK_CLASSPATH_PROPERTY = "kindling.spark.classpath";

  /** The environment variable naming Spark's class path file (as for the local platform). */
  public static final String SPARK_CLASSPATH_VARIABLE = "KINDLING_SPARK_CLASSPATH";

  private static final String RUNNER = "dev.kindling.local.spark.KindlingJvmRunner";

  /**
   * The file listing Spark's jars that kindling-local-spark's build writes ({@code
   * target/spark-classpath.txt}), named by the system property {@value #SPARK_CLASSPATH_PROPERTY}
   * or the environment variable {@value #SPARK_CLASSPATH_VARIABLE}; empty when neither names an
   * existing file. The emulators run JVM apps only with it.
   */
  public static Optional<Path> sparkClasspath() {
    String p = System.getProperty(SPARK_CLASSPATH_PROPERTY);
    if (p == null || p.isBlank()) {
      p = System.getenv(SPARK_CLASSPATH_VARIABLE);
    }
    return p == null || p.isBlank()
        ? Optional.empty()
        : Optional.of(Path.of(p)).filter(Files::isRegularFile);
  }

  /** Why a JVM app cannot run on an emulator without {@link #sparkClasspath()}. */
  public static String noSparkMessage() {
    return "The emulator runs JVM apps on Spark in local mode from kindling-local-spark's class path"
        + " file; set the system property "
        + SPARK_CLASSPATH_PROPERTY
        + " or "
        + SPARK_CLASSPATH_VARIABLE
        + " to kindling-local-spark/target/spark-classpath.txt";
  }

  /**
   * Starts a JVM driver: {@code mainClass} of the app's jars on Spark in local mode ({@code
   * local[2]}, driver on 127.0.0.1, no UI), from the class path file of kindling-local-spark. When
   * that build's {@code KindlingJvmRunner} sits next to the file, it calls {@code main} and ends
   * the JVM with main's outcome (Spark leaves non-daemon threads behind).
   *
   * @param sparkClasspath the file listing Spark's jars ({@link #sparkClasspath()})
   * @param jars the local copies of the app's jars, the main one first
   * @param mainClass the class whose {@code main(String[])} runs
   * @param args its arguments
   * @param runDir where the driver keeps its output ({@code driver.log})
   */
  public static EmulatedDriver startJvm(
      Path sparkClasspath, List<Path> jars, String mainClass, List<String> args, Path runDir) {
    try {
      Files.createDirectories(runDir);
      String sep = java.io.File.pathSeparator;
      List<String> cp = new ArrayList<>();
      Path runner = sparkClasspath.toAbsolutePath().getParent().resolve("classes");
      boolean withRunner = Files.isRegularFile(runner.resolve(RUNNER.replace('.', '/') + ".class"));
      if (withRunner) {
        cp.add(runner.toString());
      }
      cp.add(Files.readString(sparkClasspath, StandardCharsets.UTF_8).trim());
      jars.forEach(j -> cp.add(j.toString()));
      Path output = runDir.resolve("driver.log");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Dspark.master=local[2]");
      cmd.add("-Dspark.app.name=" + mainClass);
      cmd.add("-Dspark.ui.enabled=false");
      cmd.add("-Dspark.driver.host=127.0.0.1");
      cmd.add("-Dspark.driver.bindAddress=127.0.0.1");
      cmd.add("-Dspark.log.level=WARN");
      cmd.add("-Dspark.sql.shuffle.partitions=4");
      cmd.add("-cp");
      cmd.add(String.join(sep, cp));
      if (withRunner) {
        cmd.add(RUNNER);
        cmd.add(runDir.resolve("result.json").toString());
        cmd.add(output.toString());
      }
      cmd.add(mainClass);
      cmd.addAll(args);
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(runDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      return new EmulatedDriver(pb.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the emulated JVM driver", e);
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
