package dev.kindling.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs the packaged CLI jar in a child JVM, as a user would. */
final class Cli {
  static final Path JAR = Path.of(System.getProperty("kindling.cli.jar", "target/missing.jar"));
  static final Path REPO = Path.of(System.getProperty("kindling.repo.root", "..")).toAbsolutePath();

  private final Path home;
  private final Path workDir;
  private final Map<String, String> extraEnv;

  Cli(Path home, Path workDir) {
    this(home, workDir, Map.of());
  }

  /** A CLI whose processes also get {@code extraEnv}. */
  Cli(Path home, Path workDir, Map<String, String> extraEnv) {
    this.home = home;
    this.workDir = workDir;
    this.extraEnv = Map.copyOf(extraEnv);
  }

  record Result(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** A started CLI process whose stdout lines are delivered as they come. */
  static final class Running {
    final Process process;
    final CompletableFuture<String> out;
    final CompletableFuture<String> err;

    Running(Process process, Consumer<String> onOutLine) {
      this.process = process;
      this.out = drain(process, true, onOutLine);
      this.err = drain(process, false, l -> {});
    }

    private static CompletableFuture<String> drain(
        Process p, boolean stdout, Consumer<String> onLine) {
      return CompletableFuture.supplyAsync(
          () -> {
            StringBuilder sb = new StringBuilder();
            try (BufferedReader r =
                new BufferedReader(
                    new InputStreamReader(
                        stdout ? p.getInputStream() : p.getErrorStream(),
                        StandardCharsets.UTF_8))) {
              String line;
              while ((line = r.readLine()) != null) {
                sb.append(line).append('\n');
                onLine.accept(line);
              }
            } catch (IOException e) {
              sb.append("<read failed: ").append(e).append('>');
            }
            return sb.toString();
          });
    }

    Result await() throws Exception {
      if (!process.waitFor(3, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("the CLI did not finish in 3 minutes");
      }
      return new Result(process.exitValue(), out.get(), err.get());
    }
  }

  Result run(String... args) throws Exception {
    return start(l -> {}, args).await();
  }

  /** Runs the CLI with {@code input} as its stdin. */
  Result runWithInput(Path input, String... args) throws Exception {
    return start(input, l -> {}, args).await();
  }

  Running start(Consumer<String> onOutLine, String... args) throws IOException {
    return start(Path.of("/dev/null"), onOutLine, args);
  }

  Running start(Path input, Consumer<String> onOutLine, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-jar");
    cmd.add(JAR.toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    Map<String, String> env = pb.environment();
    env.put("KINDLING_HOME", home.toString());
    env.putAll(extraEnv);
    pb.redirectInput(ProcessBuilder.Redirect.from(input.toFile()));
    return new Running(pb.start(), onOutLine);
  }
}
