package dev.kindling.testkit.jvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on loopback for tests: a master and one worker, each a child JVM on
 * the Spark jars Maven resolved for kindling-local-spark. The worker launches its executors with
 * Spark's launcher, which needs a Spark "installation": a directory whose {@code jars/} links to
 * the resolved jars stands in for one. Everything binds to 127.0.0.1; {@link #close()} (and a
 * shutdown hook, should the test JVM end first) kills both with their executors.
 */
final class StandaloneSparkCluster implements AutoCloseable {
  private static final Pattern MASTER_URL =
      Pattern.compile("Starting Spark master at (spark://\\S+)");
  private static final Pattern LEADER = Pattern.compile("I have been elected leader");
  private static final Pattern REGISTERED = Pattern.compile("Successfully registered with master");

  private final List<Process> processes = new ArrayList<>();
  private final Thread hook = new Thread(this::kill, "kill-spark-standalone");
  private final Path dir;
  private final String classPath;
  private String masterUrl;

  private StandaloneSparkCluster(Path dir, String classPath) {
    this.dir = dir;
    this.classPath = classPath;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts a master and a worker ({@code cores} cores, 1 GB for executors) and waits for the worker
   * to register. Empty, with the reason in {@code why}, when they do not come up in time.
   */
  static Optional<StandaloneSparkCluster> start(
      Path sparkClasspathFile, Path dir, int cores, Duration timeout, StringBuilder why)
      throws IOException {
    String cp = Files.readString(sparkClasspathFile, StandardCharsets.UTF_8).trim();
    Path jars = Files.createDirectories(dir.resolve("spark-home/jars"));
    for (String jar : cp.split(java.io.File.pathSeparator)) {
      Path j = Path.of(jar);
      Files.createSymbolicLink(jars.resolve(j.getFileName()), j);
    }
    StandaloneSparkCluster cluster = new StandaloneSparkCluster(dir, cp);
    try {
      Daemon master =
          cluster.daemon(
              "master",
              List.of(
                  "org.apache.spark.deploy.master.Master",
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0",
                  "--webui-port",
                  "0"));
      Matcher url = master.await(MASTER_URL, timeout);
      master.await(LEADER, timeout);
      cluster.masterUrl = url.group(1);
      Daemon worker =
          cluster.daemon(
              "worker",
              List.of(
                  "org.apache.spark.deploy.worker.Worker",
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0",
                  "--webui-port",
                  "0",
                  "--cores",
                  Integer.toString(cores),
                  "--memory",
                  "1g",
                  "--work-dir",
                  cluster.workDir().toString(),
                  cluster.masterUrl));
      worker.await(REGISTERED, timeout);
      return Optional.of(cluster);
    } catch (TimeoutException | ExecutionException e) {
      why.append(e.getMessage());
      cluster.close();
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cluster.close();
      throw new IllegalStateException(e);
    }
  }

  /** The master's URL, {@code spark://127.0.0.1:PORT}. */
  String masterUrl() {
    return masterUrl;
  }

  /** Where the worker runs executors ({@code app-…/<executor id>/stderr}). */
  Path workDir() {
    return dir.resolve("work");
  }

  /** The log of {@code master} or {@code worker}. */
  Path log(String name) {
    return dir.resolve(name + ".log");
  }

  private Daemon daemon(String name, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("SPARK_HOME", dir.resolve("spark-home").toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("SPARK_MASTER_HOST", "127.0.0.1");
    pb.environment().put("SPARK_PUBLIC_DNS", "127.0.0.1");
    Process p = pb.start();
    processes.add(p);
    return new Daemon(name, p, log(name));
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down: the hook runs anyway
    }
  }

  /** Kills the worker (and the executors it started) and the master. */
  private void kill() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
      tree.add(0, p.toHandle());
      tree.forEach(ProcessHandle::destroy);
      for (ProcessHandle h : tree) {
        try {
          h.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          h.destroyForcibly();
        } catch (ExecutionException | TimeoutException e) {
          h.destroyForcibly();
        }
      }
    }
  }

  /** A daemon's output, copied to its log file and watched for lines. */
  private static final class Daemon {
    private final String name;
    private final List<Watch> watches = new ArrayList<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final StringBuilder tail = new StringBuilder();

    private record Watch(Pattern pattern, CompletableFuture<Matcher> found) {}

    Daemon(String name, Process process, Path log) {
      this.name = name;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getInputStream(), StandardCharsets.UTF_8));
                    var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                  for (String line; (line = r.readLine()) != null; ) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    line(line);
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                } finally {
                  ended.complete(null);
                }
              },
              "spark-" + name + "-log");
      reader.setDaemon(true);
      reader.start();
    }

    private synchronized void line(String line) {
      tail.append(line).append('\n');
      if (tail.length() > 16000) {
        tail.delete(0, tail.length() - 16000);
      }
      for (Watch w : watches) {
        Matcher m = w.pattern.matcher(line);
        if (!w.found.isDone() && m.find()) {
          w.found.complete(m);
        }
      }
    }

    Matcher await(Pattern pattern, Duration timeout)
        throws InterruptedException, ExecutionException, TimeoutException {
      CompletableFuture<Matcher> found = new CompletableFuture<>();
      synchronized (this) {
        for (String line : tail.toString().split("\n")) {
          Matcher m = pattern.matcher(line);
          if (m.find()) {
            return m;
          }
        }
        watches.add(new Watch(pattern, found));
      }
      ended.thenRun(
          () ->
              found.completeExceptionally(
                  new IllegalStateException("the Spark " + name + " ended:\n" + tail())));
      try {
        return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new TimeoutException(
            "the Spark " + name + " did not log '" + pattern + "' in " + timeout + ":\n" + tail());
      }
    }

    private synchronized String tail() {
      return tail.toString();
    }
  }
}
