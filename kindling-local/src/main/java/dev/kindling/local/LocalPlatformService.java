package dev.kindling.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.BootstrapShim;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.deploy.RemoteLayout;
import dev.kindling.core.deploy.RunFiles;
import dev.kindling.core.deploy.RunTags;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunMetrics;
import dev.kindling.core.run.RunPage;
import dev.kindling.core.run.RunState;
import dev.kindling.core.spi.PlatformService;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local platform: the artifacts root is a directory (the workspace), a job is a JSON definition
 * in it, and a run is a child process running the bootstrap shim with Python (Python apps) or
 * {@code KindlingJvmRunner} on Spark (JVM apps). Run state lives on disk, so status, logs and
 * cancel work from any process by run id, and a run outlives the process that started it.
 *
 * <pre>
 * &lt;workspace&gt;/data-apps/...             releases, blobs, results (the remote layout)
 * &lt;workspace&gt;/jobs/&lt;job&gt;.json           job definitions
 * &lt;workspace&gt;/runs/&lt;run id&gt;/run.json     pid, job, release of a run
 * &lt;workspace&gt;/runs/&lt;run id&gt;/output.log   the run's stdout and stderr
 * </pre>
 */
public final class LocalPlatformService implements PlatformService {
  /** The platform id. */
  public static final String ID = "local";

  private static final Logger log = LoggerFactory.getLogger(LocalPlatformService.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern ID_FORM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final int LOG_TAIL_BYTES = 1 << 20;
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  /** The runner of JVM apps, in {@code kindling-local-spark}: writes the run's result.json. */
  static final String RUNNER = "dev.kindling.local.spark.KindlingJvmRunner";

  /** Spark's launcher class, used for cluster masters when there is no Spark installation. */
  static final String SPARK_SUBMIT = "org.apache.spark.deploy.SparkSubmit";

  private static final String SEP = java.io.File.pathSeparator;

  /**
   * Spark's own module options (build-notes.md section 6); 4.x runs without them, 3.5 needs them.
   */
  static final List<String> SPARK_JVM_FLAGS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          "-Dio.netty.tryReflectionSetAccessible=true");

  private final LocalSettings settings;
  private final LocalArtifactStore store;
  private final Clock clock;

  @Inject
  public LocalPlatformService(LocalSettings settings, Clock clock) {
    this.settings = settings;
    this.store = new LocalArtifactStore(settings.workspaceDir());
    this.clock = clock;
  }

  /** The workspace's artifact store. */
  public LocalArtifactStore store() {
    return store;
  }

  @Override
  public String platformId() {
    return ID;
  }

  @Override
  public Duration pollInterval() {
    return Duration.ofMillis(250);
  }

  @Override
  public DeploymentResult deploySparkJob(AppFiles app, JobConfig config) {
    String name = checkId(config.jobName().orElse(app.appName()), "job name");
    boolean jvm = app.runtime() == AppFiles.Runtime.JVM;
    String mainClass =
        jvm
            ? app.mainClass()
                .orElseThrow(() -> new KindlingException("a JVM app needs a main_class"))
            : null;
    Release release = new ReleasePublisher(store, clock).publish(app);
    ObjectNode job = JSON.createObjectNode();
    job.put("job_id", name);
    job.put("name", name);
    job.put("app", app.appName());
    job.put("release", release.id());
    job.put("manifest", release.manifestPath());
    job.put("launcher", release.blob(app.launcher()));
    job.put("runtime", jvm ? "jvm" : "python");
    if (jvm) {
      job.put("main_class", mainClass);
      ArrayNode jars = job.putArray("jars");
      List<String> appJars = new ArrayList<>();
      app.appJar().ifPresent(appJars::add);
      app.jars().stream().filter(j -> !appJars.contains(j)).forEach(appJars::add);
      appJars.forEach(j -> jars.add(release.blob(j)));
    }
    job.putPOJO("parameters", config.parameters());
    job.put("kindling", true);
    job.put("updated", clock.instant().toString());
    writeJson(jobFile(name), job);
    log.info("job {} now runs release {} of {}", name, release.id(), app.appName());
    return new DeploymentResult(
        name,
        store.locate(release.manifestPath()),
        release.id(),
        ID,
        release.filesTotal(),
        release.filesUploaded(),
        release.bytesUploaded(),
        Map.of("workspace", store.root().toString()));
  }

  @Override
  public String runSparkJob(String jobId, Map<String, String> params) {
    JsonNode job = readJob(jobId);
    String app = job.get("app").asText();
    String release = job.get("release").asText();
    Map<String, String> merged = new LinkedHashMap<>();
    job.path("parameters").properties().forEach(e -> merged.put(e.getKey(), e.getValue().asText()));
    merged.putAll(params);

    String runId = RunTags.newTag(clock);
    Path runDir = runDir(runId);
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      // its own session: Ctrl-C in the terminal that started it does not kill the run
      command.add(SETSID.toString());
    }
    boolean jvm = job.path("runtime").asText("python").equals("jvm");
    if (jvm) {
      command.addAll(jvmCommand(job, app, release, runId, merged, runDir));
    } else {
      command.add(settings.python());
      command.add(store.locate(job.get("launcher").asText()));
      command.addAll(BootstrapShim.arguments(store.root().toString(), app, release, runId, merged));
    }
    Process process;
    try {
      Files.createDirectories(runDir);
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(runDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(runDir.resolve("output.log").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      pb.environment().put("PYTHONUNBUFFERED", "1");
      pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      if (jvm && (settings.localMaster() || settings.loopbackMaster())) {
        pb.environment().putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
      }
      process = pb.start();
    } catch (IOException e) {
      throw new KindlingException(
          "could not start '"
              + command.get(command.get(0).equals(SETSID.toString()) ? 1 : 0)
              + "' for run "
              + runId
              + ": "
              + e.getMessage()
              + (jvm
                  ? "; check spark_home / SPARK_HOME"
                  : "; install Python 3 or set `python:` in the local target"),
          e);
    }
    ObjectNode run = JSON.createObjectNode();
    run.put("run_id", runId);
    run.put("job_id", jobId);
    run.put("app", app);
    run.put("release", release);
    run.put("pid", process.pid());
    process.info().startInstant().ifPresent(t -> run.put("process_start", t.toString()));
    run.put("submitted", clock.instant().toString());
    writeJson(runDir.resolve("run.json"), run);
    log.info("{} started: job {} release {} pid {}", runId, jobId, release, process.pid());
    return runId;
  }

  /**
   * The command of a JVM run: on a {@code local[...]} master, a child JVM with the runner, Spark's
   * jars (from the class path file) and the app's jars; on another master, {@code spark-submit} in
   * client mode with the runner on the driver's class path, or, without a Spark installation,
   * Spark's {@code SparkSubmit} class run from the class path file with the runner next to it. The
   * runner writes {@code result.json}.
   */
  private List<String> jvmCommand(
      JsonNode job,
      String app,
      String release,
      String runId,
      Map<String, String> params,
      Path runDir) {
    Path classpathFile =
        settings
            .sparkClasspath()
            .filter(Files::isRegularFile)
            .orElseThrow(
                () ->
                    new KindlingException(
                        "JVM apps on the local platform run on Spark, whose class path file"
                            + settings.sparkClasspath().map(p -> " " + p).orElse("")
                            + " is missing; build it with `./mvnw -B -pl kindling-local-spark -am"
                            + " package -DskipTests` and run through ./kindling, or set"
                            + " `spark_classpath:` in the local target (or "
                            + LocalSettings.CLASSPATH_VARIABLE
                            + ")"));
    Path runner = classpathFile.toAbsolutePath().getParent().resolve("classes");
    if (!Files.isRegularFile(runner.resolve(RUNNER.replace('.', '/') + ".class"))) {
      throw new KindlingException(
          "the Kindling JVM runner is not built in "
              + runner
              + "; build kindling-local-spark (`./mvnw -B -pl kindling-local-spark -am package`)");
    }
    List<String> jars = new ArrayList<>();
    job.path("jars").forEach(j -> jars.add(store.file(j.asText()).toString()));
    if (jars.isEmpty()) {
      throw new KindlingException("job " + job.path("job_id").asText() + " has no app jar");
    }
    String result = store.file(RemoteLayout.resultPath(app, runId)).toString();
    String output = runDir.resolve("output.log").toString();
    List<String> appArgs =
        BootstrapShim.jvmArguments(store.root().toString(), app, release, runId, params);
    List<String> cmd = new ArrayList<>();
    if (settings.localMaster()) {
      cmd.add(javaBinary());
      cmd.addAll(SPARK_JVM_FLAGS);
      cmd.add("-Dspark.master=" + settings.master());
      cmd.add("-Dspark.app.name=" + app);
      // one machine: no UI port, the driver on loopback, quiet logs (spark_conf may change these)
      Map<String, String> conf = new LinkedHashMap<>();
      conf.put("spark.ui.enabled", "false");
      conf.put("spark.driver.host", "127.0.0.1");
      conf.put("spark.driver.bindAddress", "127.0.0.1");
      conf.put("spark.log.level", "WARN");
      conf.putAll(settings.sparkConf());
      conf.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
      cmd.add("-cp");
      cmd.add(classPath(runner.toString(), sparkJars(classpathFile), String.join(SEP, jars)));
      cmd.add(RUNNER);
    } else {
      Optional<Path> home = settings.sparkHome();
      if (home.isPresent()) {
        // Spark's own launcher, with the runner on the driver's class path
        cmd.add(home.get().resolve("bin").resolve("spark-submit").toString());
      } else {
        // no Spark installation: Spark's SparkSubmit from the resolved jars, in this child JVM
        cmd.add(javaBinary());
        cmd.addAll(SPARK_JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(classPath(runner.toString(), sparkJars(classpathFile)));
        cmd.add(SPARK_SUBMIT);
      }
      cmd.add("--master");
      cmd.add(settings.master());
      cmd.add("--deploy-mode");
      cmd.add("client");
      cmd.add("--name");
      cmd.add(app);
      if (home.isPresent()) {
        cmd.add("--driver-class-path");
        cmd.add(runner.toString());
      }
      Map<String, String> conf = new LinkedHashMap<>();
      if (settings.loopbackMaster()) {
        // a master on loopback: the driver stays on loopback too
        conf.put("spark.driver.host", "127.0.0.1");
        conf.put("spark.driver.bindAddress", "127.0.0.1");
      }
      conf.putAll(settings.sparkConf());
      conf.forEach(
          (k, v) -> {
            cmd.add("--conf");
            cmd.add(k + "=" + v);
          });
      if (jars.size() > 1) {
        cmd.add("--jars");
        cmd.add(String.join(",", jars.subList(1, jars.size())));
      }
      cmd.add("--class");
      cmd.add(RUNNER);
      cmd.add(jars.get(0));
    }
    cmd.add(result);
    cmd.add(output);
    cmd.add(job.path("main_class").asText());
    cmd.addAll(appArgs);
    return cmd;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String classPath(String... parts) {
    return String.join(SEP, parts);
  }

  private static String sparkJars(Path classpathFile) {
    try {
      return Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new KindlingException("cannot read " + classpathFile + ": " + e.getMessage(), e);
    }
  }

  @Override
  public JobStatus getJobStatus(String runId) {
    JsonNode run = readRun(runId);
    Optional<Instant> submitted = instant(run.path("submitted"));
    String location = runDir(runId).toString();
    if (isAlive(run)) {
      return new JobStatus(
          runId,
          RunState.RUNNING,
          "running",
          submitted,
          Optional.empty(),
          Optional.empty(),
          Optional.of(location));
    }
    Optional<JsonNode> result = result(run);
    if (result.isPresent()) {
      JsonNode r = result.get();
      boolean ok = "SUCCEEDED".equals(r.path("state").asText());
      String error = r.path("error").isNull() ? null : r.path("error").asText(null);
      return new JobStatus(
          runId,
          ok ? RunState.SUCCEEDED : RunState.FAILED,
          "exited " + r.path("exit_code").asText("?"),
          instant(r.path("start")).or(() -> submitted),
          instant(r.path("end")),
          ok ? Optional.empty() : Optional.of(error == null ? "the app failed" : error),
          Optional.of(location));
    }
    Path cancelled = runDir(runId).resolve("cancelled");
    if (Files.exists(cancelled)) {
      return new JobStatus(
          runId,
          RunState.CANCELLED,
          "killed",
          submitted,
          modified(cancelled),
          Optional.of("cancelled"),
          Optional.of(location));
    }
    return new JobStatus(
        runId,
        RunState.FAILED,
        "vanished",
        submitted,
        modified(runDir(runId).resolve("output.log")),
        Optional.of(
            "process " + run.path("pid").asLong() + " ended without writing a result (killed?)"),
        Optional.of(location));
  }

  @Override
  public boolean cancelJob(String runId) {
    JsonNode run = readRun(runId);
    Optional<ProcessHandle> handle = process(run);
    if (handle.isEmpty()) {
      return false;
    }
    try {
      Files.writeString(runDir(runId).resolve("cancelled"), clock.instant().toString());
    } catch (IOException e) {
      throw new KindlingException(
          "could not mark run " + runId + " cancelled: " + e.getMessage(), e);
    }
    ProcessHandle ph = handle.get();
    List<ProcessHandle> tree = new ArrayList<>(ph.descendants().toList());
    tree.add(0, ph);
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        p.destroyForcibly();
      } catch (ExecutionException e) {
        p.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        break;
      }
    }
    log.info("{} cancelled: killed {} process(es)", runId, tree.size());
    return true;
  }

  @Override
  public RunLogs logs(String runId) {
    JsonNode run = readRun(runId);
    Path output = runDir(runId).resolve("output.log");
    String text = tail(output);
    Optional<String> result = result(run).map(JsonNode::toPrettyString);
    return new RunLogs(runId, text, result, Optional.of(output.toString()));
  }

  @Override
  public Optional<String> resultJson(String runId) {
    JsonNode run = readRun(runId);
    Path f =
        store.file(RemoteLayout.resultPath(run.path("app").asText(), run.path("run_id").asText()));
    try {
      return Files.isRegularFile(f) ? Optional.of(Files.readString(f)) : Optional.empty();
    } catch (IOException e) {
      throw new KindlingException("could not read " + f + ": " + e.getMessage(), e);
    }
  }

  /** The job's runs are the run folders whose run.json names it, newest first. */
  @Override
  public RunPage listRuns(String jobId, int limit, String pageToken) {
    readJob(jobId);
    int offset = RunPage.offsetOf(pageToken);
    List<JsonNode> runs = new ArrayList<>();
    Path dir = settings.workspaceDir().resolve("runs");
    if (Files.isDirectory(dir)) {
      try (var folders = Files.list(dir)) {
        for (Path folder : folders.toList()) {
          Path f = folder.resolve("run.json");
          if (Files.isRegularFile(f)) {
            JsonNode run = readJson(f);
            if (jobId.equals(run.path("job_id").asText())) {
              runs.add(run);
            }
          }
        }
      } catch (IOException e) {
        throw new KindlingException("could not list " + dir + ": " + e.getMessage(), e);
      }
    }
    runs.sort(
        java.util.Comparator.comparing(
                (JsonNode r) -> instant(r.path("submitted")).orElse(Instant.MIN))
            .thenComparing(r -> r.path("run_id").asText())
            .reversed());
    int to = Math.min(runs.size(), offset + RunPage.clamp(limit));
    List<RunMetrics> page = new ArrayList<>();
    for (JsonNode run : runs.subList(Math.min(offset, runs.size()), to)) {
      String runId = run.path("run_id").asText();
      JobStatus status = getJobStatus(runId);
      Optional<JsonNode> result = result(run);
      String app = run.path("app").asText();
      String release = run.path("release").asText();
      page.add(
          new RunMetrics(
              runId,
              status.state(),
              status.platformState(),
              instant(run.path("submitted")),
              result.flatMap(r -> instant(r.path("start"))).or(status::startTime),
              status.isTerminal() ? status.endTime() : Optional.empty(),
              1,
              Optional.of(release),
              RunFiles.releaseBytes(store, app, release)));
    }
    return new RunPage(
        page, to < runs.size() ? Optional.of(RunPage.offsetToken(to)) : Optional.<String>empty());
  }

  @Override
  public boolean deleteJob(String jobId) {
    try {
      return Files.deleteIfExists(jobFile(checkId(jobId, "job id")));
    } catch (IOException e) {
      throw new KindlingException("deleting job " + jobId + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<JobInfo> listJobs() {
    Path dir = settings.workspaceDir().resolve("jobs");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<JobInfo> jobs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Iterator<Path> it = files.sorted().iterator(); it.hasNext(); ) {
        Path f = it.next();
        if (!f.getFileName().toString().endsWith(".json")) {
          continue;
        }
        JsonNode job = JSON.readTree(f.toFile());
        if (!job.path("kindling").asBoolean(false)) {
          continue;
        }
        jobs.add(
            new JobInfo(
                job.path("job_id").asText(),
                job.path("name").asText(),
                Map.of(
                    "app", job.path("app").asText(),
                    "release", job.path("release").asText(),
                    "updated", job.path("updated").asText())));
      }
    } catch (IOException e) {
      throw new KindlingException("listing jobs in " + dir + " failed: " + e.getMessage(), e);
    }
    return jobs;
  }

  private Path jobFile(String name) {
    return settings.workspaceDir().resolve("jobs").resolve(name + ".json");
  }

  private Path runDir(String runId) {
    return settings.workspaceDir().resolve("runs").resolve(runId);
  }

  private JsonNode readJob(String jobId) {
    Path f = jobFile(checkId(jobId, "job id"));
    if (!Files.isRegularFile(f)) {
      throw new NotFoundException(
          "no job '"
              + jobId
              + "' on the local platform (workspace "
              + settings.workspaceDir()
              + "); deploy it first or see `kindling jobs`");
    }
    return readJson(f);
  }

  private JsonNode readRun(String runId) {
    Path f = runDir(checkId(runId, "run id")).resolve("run.json");
    if (!Files.isRegularFile(f)) {
      throw new NotFoundException(
          "no run '"
              + runId
              + "' on the local platform (workspace "
              + settings.workspaceDir()
              + ")");
    }
    return readJson(f);
  }

  private Optional<JsonNode> result(JsonNode run) {
    Path f =
        store.file(RemoteLayout.resultPath(run.path("app").asText(), run.path("run_id").asText()));
    return Files.isRegularFile(f) ? Optional.of(readJson(f)) : Optional.empty();
  }

  /** The run's process, if it is still alive (and is the same process, not a reused pid). */
  private static Optional<ProcessHandle> process(JsonNode run) {
    Optional<ProcessHandle> ph = ProcessHandle.of(run.path("pid").asLong());
    if (ph.isEmpty() || !ph.get().isAlive()) {
      return Optional.empty();
    }
    String recorded = run.path("process_start").asText("");
    Optional<Instant> actual = ph.get().info().startInstant();
    if (!recorded.isEmpty() && actual.isPresent() && !actual.get().toString().equals(recorded)) {
      return Optional.empty();
    }
    return ph;
  }

  private static boolean isAlive(JsonNode run) {
    return process(run).isPresent();
  }

  private static String checkId(String id, String what) {
    if (id == null || !ID_FORM.matcher(id).matches()) {
      throw new NotFoundException(
          "'" + id + "' is not a valid local " + what + " (letters, digits, . _ -)");
    }
    return id;
  }

  private static Optional<Instant> instant(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode() || n.asText().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(n.asText()));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> modified(Path f) {
    try {
      return Optional.of(Files.getLastModifiedTime(f).toInstant());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String tail(Path f) {
    if (!Files.isRegularFile(f)) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
      long len = raf.length();
      long from = Math.max(0, len - LOG_TAIL_BYTES);
      byte[] buf = new byte[(int) (len - from)];
      raf.seek(from);
      raf.readFully(buf);
      String text = new String(buf, StandardCharsets.UTF_8);
      return from == 0 ? text : "[... " + from + " bytes not shown ...]\n" + text;
    } catch (IOException e) {
      throw new KindlingException("reading " + f + " failed: " + e.getMessage(), e);
    }
  }

  private static JsonNode readJson(Path f) {
    try {
      return JSON.readTree(f.toFile());
    } catch (IOException e) {
      throw new KindlingException("reading " + f + " failed: " + e.getMessage(), e);
    }
  }

  private static void writeJson(Path f, JsonNode node) {
    try {
      Files.createDirectories(f.getParent());
      Path tmp = Files.createTempFile(f.getParent(), "." + f.getFileName(), ".tmp");
      Files.write(tmp, JSON.writeValueAsBytes(node));
      try {
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new KindlingException("writing " + f + " failed: " + e.getMessage(), e);
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }
}
