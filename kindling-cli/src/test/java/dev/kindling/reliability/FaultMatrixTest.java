package dev.kindling.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.http.HttpClients;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunState;
import dev.kindling.reliability.Rigs.Platform;
import dev.kindling.reliability.Rigs.Rig;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import dev.kindling.testkit.fabric.FabricEmulator;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix of issue 7: for each platform emulator, each step of a deploy-run-wait-cancel
 * cycle and each fault, the cycle either completes (one job definition, the files the run used
 * byte-identical: the shim checks every file's sha256, the run's output and final state right) or
 * fails with a typed exception naming the step and the platform error while the previous release
 * stays the one the job runs. Creating requests are counted in the emulator journal. Retry waits
 * run on fake time ({@link WarpScheduler}) except inside the Databricks SDK, whose own retries
 * sleep for real. Prints a summary table.
 */
class FaultMatrixTest {
  /** The steps of the cycle. */
  enum Step {
    CREATE_JOB,
    UPDATE_JOB,
    UPLOAD,
    MANIFEST,
    SUBMIT,
    POLL,
    LOGS,
    CANCEL;

    boolean deploys() {
      return ordinal() <= MANIFEST.ordinal();
    }
  }

  /** The faults. */
  enum Kind {
    RETRY_AFTER_SECONDS("429 Retry-After: s"),
    RETRY_AFTER_DATE("429 Retry-After: date"),
    S500("500"),
    S502("502"),
    S503("503"),
    DROP("connection reset"),
    READ_TIMEOUT("read timeout"),
    UNAUTHORIZED_ONCE("401 once"),
    NOT_FOUND_AFTER_CREATE("404 after create"),
    SLOW_LRO("slow LRO");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** One scenario's outcome. */
  record Outcome(Platform platform, Step step, Kind kind, String result, String detail) {
    boolean failed() {
      return result.equals("FAIL");
    }
  }

  static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int THREADS = 6;
  static final Duration CANCEL_WAIT = Duration.ofSeconds(20);
  static final int SECONDS_RETRY_AFTER = 7;
  static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private static String previousReadTimeout;

  @TempDir Path tmp;

  @BeforeAll
  static void shortReadTimeout() {
    previousReadTimeout = System.getProperty(HttpClients.READ_TIMEOUT_PROPERTY);
    System.setProperty(HttpClients.READ_TIMEOUT_PROPERTY, Long.toString(READ_TIMEOUT.toSeconds()));
  }

  @AfterAll
  static void restore() {
    if (previousReadTimeout == null) {
      System.clearProperty(HttpClients.READ_TIMEOUT_PROPERTY);
    } else {
      System.setProperty(HttpClients.READ_TIMEOUT_PROPERTY, previousReadTimeout);
    }
  }

  /** Exception messages, journals, stored job definitions: everything the secret scan reads. */
  static final java.util.Queue<String> SEEN = new java.util.concurrent.ConcurrentLinkedQueue<>();

  @Test
  void everyPlatformStepAndFault() throws Exception {
    java.io.PrintStream out = System.out;
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream tee =
        new java.io.PrintStream(
            new Tee(captured, err), true, java.nio.charset.StandardCharsets.UTF_8);
    System.setErr(tee);
    System.setOut(
        new java.io.PrintStream(
            new Tee(captured, out), true, java.nio.charset.StandardCharsets.UTF_8));
    List<Outcome> all;
    Duration took;
    Instant started = Instant.now();
    try {
      all = matrix();
      took = Duration.between(started, Instant.now());
    } finally {
      System.setErr(err);
      System.setOut(out);
    }
    String summary = table(all, took);
    System.out.println(summary);
    // also for the build log: kindling-cli's pom prints this file at `verify`
    Files.writeString(Path.of("target", "fault-matrix.txt"), summary);
    assertThat(all.stream().filter(Outcome::failed).map(Outcome::toString)).isEmpty();

    // secrets: every captured byte of DEBUG logging, every message, config toString(), journal,
    // job definition and file the emulators stored (definitions, run arguments, run output)
    byte[] logs;
    synchronized (captured) {
      logs = captured.toByteArray();
    }
    List<String> secrets = Rigs.secrets();
    String[] values = secrets.toArray(String[]::new);
    assertThat(logs.length).as("DEBUG output captured").isGreaterThan(10_000);
    assertThat(new String(logs, java.nio.charset.StandardCharsets.UTF_8))
        .as("captured log output")
        .doesNotContain(values);
    assertThat(Rigs.CONFIG_STRINGS)
        .isNotEmpty()
        .noneMatch(c -> secrets.stream().anyMatch(c::contains));
    assertThat(SEEN).isNotEmpty().noneMatch(c -> secrets.stream().anyMatch(c::contains));
    assertThat(SEEN)
        .as("Fabric definitions (decoded) and Synapse batches with their arguments were scanned")
        .anyMatch(c -> c.contains("commandLineArguments"))
        .anyMatch(c -> c.contains("kindling_run_tag"));
    long files = 0;
    try (java.util.stream.Stream<Path> walk = Files.walk(tmp)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        files++;
        assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
            .as("stored file " + f)
            .doesNotContain(values);
      }
    }
    System.out.printf(
        "secret scan (%d secrets: API token/PAT, storage token, client secret): %d bytes of"
            + " DEBUG output, %d messages/journals/job definitions/run arguments, %d config"
            + " strings, %d stored files: none found%n",
        secrets.size(), logs.length, SEEN.size(), Rigs.CONFIG_STRINGS.size(), files);
  }

  /** Writes to both. */
  static final class Tee extends java.io.OutputStream {
    private final java.io.ByteArrayOutputStream copy;
    private final java.io.OutputStream out;

    Tee(java.io.ByteArrayOutputStream copy, java.io.OutputStream out) {
      this.copy = copy;
      this.out = out;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      synchronized (copy) {
        copy.write(b);
      }
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      synchronized (copy) {
        copy.write(b, off, len);
      }
      out.write(b, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      out.flush();
    }
  }

  List<Outcome> matrix() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<Outcome>> futures = new ArrayList<>();
    for (Platform p : Platform.values()) {
      for (Step s : Step.values()) {
        for (Kind k : Kind.values()) {
          futures.add(pool.submit(() -> scenario(p, s, k)));
        }
      }
    }
    List<Outcome> all = new ArrayList<>();
    for (Future<Outcome> f : futures) {
      all.add(f.get());
    }
    pool.shutdown();
    return all;
  }

  // ------------------------------------------------------------------------------- one scenario

  Outcome scenario(Platform p, Step step, Kind kind) {
    Optional<String> skip = skip(p, step, kind);
    if (skip.isPresent()) {
      return new Outcome(p, step, kind, "SKIP", skip.get());
    }
    Path dir = tmp.resolve(p.id() + "-" + step + "-" + kind);
    Rig rig = null;
    Kindling kindling = null;
    try {
      rig = Rigs.start(p, dir.resolve("emulator"));
      WarpScheduler time = new WarpScheduler();
      kindling = rig.kindling(time);
      return new Cycle(rig, kindling, time, dir, step, kind).run();
    } catch (Throwable t) {
      remember(t);
      return new Outcome(p, step, kind, "FAIL", t.toString().replace('\n', ' '));
    } finally {
      if (rig != null) {
        SEEN.add(rig.emulator().journal().toString());
        // job definitions as the services stored them (Fabric's parts decoded), run arguments
        if (rig.emulator() instanceof dev.kindling.testkit.databricks.DatabricksEmulator d) {
          SEEN.add(d.jobs().toString());
        } else if (rig.emulator() instanceof FabricEmulator f) {
          SEEN.addAll(f.storedDefinitions());
        } else if (rig.emulator() instanceof SynapseEmulator s) {
          SEEN.addAll(s.storedDefinitions());
        }
      }
      if (kindling != null) {
        kindling.close();
      }
      if (rig != null) {
        rig.emulator().close();
      }
    }
  }

  /** Scenarios that cannot apply, with the reason. */
  static Optional<String> skip(Platform p, Step step, Kind kind) {
    if (kind == Kind.SLOW_LRO) {
      if (p == Platform.DATABRICKS) {
        return Optional.of("Databricks jobs/create and jobs/reset answer at once: no LRO");
      }
      if (step != Step.CREATE_JOB && step != Step.UPDATE_JOB) {
        return Optional.of("only job definition writes are long-running operations");
      }
    }
    if (kind == Kind.NOT_FOUND_AFTER_CREATE && step != Step.SUBMIT && step != Step.POLL) {
      return Optional.of(
          "no eventual consistency here: a 404 fails fast as NotFoundException naming the call");
    }
    if (kind == Kind.UNAUTHORIZED_ONCE && p == Platform.DATABRICKS) {
      return Optional.of(
          "a personal access token cannot be refreshed: a 401 is final (AuthException, exit 5)");
    }
    return Optional.empty();
  }

  /** The request a step's fault is injected into: method and path pattern. */
  static String[] request(Platform p, Step step, String app, String job) {
    String blobs = ".*/data-apps/" + app + "/blobs/.*";
    String releases = ".*/data-apps/" + app + "/releases/.*";
    return switch (p) {
      case FABRIC ->
          switch (step) {
            case CREATE_JOB -> new String[] {"POST", "/v1/workspaces/[^/]+/sparkJobDefinitions"};
            case UPDATE_JOB ->
                new String[] {
                  "POST", "/v1/workspaces/[^/]+/sparkJobDefinitions/[^/]+/updateDefinition"
                };
            case UPLOAD -> new String[] {"PATCH", blobs};
            case MANIFEST -> new String[] {"PATCH", releases};
            case SUBMIT ->
                new String[] {
                  "POST",
                  "/v1/workspaces/[^/]+/(items|sparkJobDefinitions)/[^/]+/jobs/([^/]+/)?instances"
                };
            case POLL -> // a wait lists the item's instances, and gets those the list left out
                new String[] {"GET", "/v1/workspaces/[^/]+/items/[^/]+/jobs/instances(/[^/]+)?"};
            case LOGS -> new String[] {"GET", ".*/livySessions.*"};
            case CANCEL ->
                new String[] {
                  "POST", "/v1/workspaces/[^/]+/items/[^/]+/jobs/instances/[^/]+/cancel"
                };
          };
      case SYNAPSE ->
          switch (step) {
            case CREATE_JOB, UPDATE_JOB -> new String[] {"PUT", "/sparkJobDefinitions/" + job};
            case UPLOAD -> new String[] {"PATCH", blobs};
            case MANIFEST -> new String[] {"PATCH", releases};
            case SUBMIT ->
                new String[] {"POST", "/livyApi/versions/[^/]+/sparkPools/[^/]+/batches/?"};
            case POLL -> // a wait lists the pool's batches, and gets those the list left out
                new String[] {
                  "GET", "/livyApi/versions/[^/]+/sparkPools/[^/]+/batches(/[0-9]+(/state)?)?/?"
                };
            case LOGS ->
                new String[] {"GET", "/livyApi/versions/[^/]+/sparkPools/[^/]+/batches/[0-9]+/log"};
            case CANCEL ->
                new String[] {"DELETE", "/livyApi/versions/[^/]+/sparkPools/[^/]+/batches/[0-9]+"};
          };
      case DATABRICKS ->
          switch (step) {
            case CREATE_JOB -> new String[] {"POST", "/api/2\\.[0-9]/jobs/create"};
            case UPDATE_JOB -> new String[] {"POST", "/api/2\\.[0-9]/jobs/reset"};
            case UPLOAD -> new String[] {"PUT", "/api/2\\.0/fs/files" + blobs};
            case MANIFEST -> new String[] {"PUT", "/api/2\\.0/fs/files" + releases};
            case SUBMIT -> new String[] {"POST", "/api/2\\.[0-9]/jobs/run-now"};
            case POLL -> new String[] {"GET", "/api/2\\.[0-9]/jobs/runs/(get|list)"};
            case LOGS -> new String[] {"GET", "/api/2\\.[0-9]/jobs/runs/get-output"};
            case CANCEL -> new String[] {"POST", "/api/2\\.[0-9]/jobs/runs/cancel"};
          };
    };
  }

  /** The requests that create a job definition. */
  static String[] creates(Platform p, String job) {
    return switch (p) {
      case FABRIC -> new String[] {"POST", "/v1/workspaces/[^/]+/sparkJobDefinitions"};
      case SYNAPSE -> new String[] {"PUT", "/sparkJobDefinitions/" + job};
      case DATABRICKS -> new String[] {"POST", "/api/2\\.[0-9]/jobs/create"};
    };
  }

  /** Words one of which the message of a failed step must contain. */
  static final Map<Step, Pattern> STEP_WORDS =
      Map.of(
          Step.CREATE_JOB, Pattern.compile("(?i)creat|definition|job"),
          Step.UPDATE_JOB, Pattern.compile("(?i)updat|reset|definition|job"),
          Step.UPLOAD, Pattern.compile("(?i)upload|writ|blobs|append|file"),
          Step.MANIFEST, Pattern.compile("(?i)upload|writ|release|append|manifest|file"),
          Step.SUBMIT, Pattern.compile("(?i)run|start|submit|execut|batch"),
          Step.POLL, Pattern.compile("(?i)status|run|batch|instance"),
          Step.LOGS, Pattern.compile("(?i)log|output"),
          Step.CANCEL, Pattern.compile("(?i)cancel"));

  /** One deploy-run-wait-cancel cycle with one fault. */
  final class Cycle {
    final Rig rig;
    final Kindling kindling;
    final DataAppDeployer deployer;
    final WarpScheduler time;
    final Path dir;
    final Step step;
    final Kind kind;
    final String app;
    final String job;
    final Emulator emulator;
    Instant injectedAt;

    Cycle(Rig rig, Kindling kindling, WarpScheduler time, Path dir, Step step, Kind kind) {
      this.rig = rig;
      this.kindling = kindling;
      this.deployer = kindling.deployer();
      this.time = time;
      this.dir = dir;
      this.step = step;
      this.kind = kind;
      this.app = "fm-app";
      this.job = "fm-job";
      this.emulator = rig.emulator();
    }

    Path writeApp(String version) throws Exception {
      Path a = Files.createDirectories(dir.resolve("app"));
      Files.writeString(a.resolve("app.yaml"), "name: " + app + "\nversion: 1.0.0\n");
      Files.writeString(
          a.resolve("app.py"),
          "import sys, time\n"
              + "print('hello from "
              + version
              + "')\n"
              + "if any('linger' in a for a in sys.argv[1:]):\n"
              + "    time.sleep(120)\n");
      // a second, larger file so an upload has more than one request to fault
      byte[] data = new byte[64 * 1024];
      new java.util.Random(version.hashCode()).nextBytes(data);
      Files.write(a.resolve("data.bin"), data);
      return a;
    }

    void inject(Step at) {
      if (at != step) {
        return;
      }
      String[] r = request(rig.platform(), step, app, job);
      injectedAt = time.now();
      String body =
          "{\"errorCode\":\"InjectedFault\",\"error_code\":\"INJECTED_FAULT\","
              + "\"message\":\"injected fault "
              + kind.label
              + "\",\"error\":{\"code\":\"InjectedFault\",\"message\":\"injected fault "
              + kind.label
              + "\"}}";
      if (kind == Kind.NOT_FOUND_AFTER_CREATE && step == Step.SUBMIT) {
        // the read of the job just created or updated, where the platform has one
        r =
            switch (rig.platform()) {
              case SYNAPSE -> new String[] {"GET", "/sparkJobDefinitions/" + job};
              case DATABRICKS -> new String[] {"GET", "/api/2\\.[0-9]/jobs/get"};
              case FABRIC -> r;
            };
      }
      Fault.Builder f = Fault.on(r[0], r[1]).named(kind.label);
      switch (kind) {
        case RETRY_AFTER_SECONDS ->
            f.status(429)
                .header(
                    "Retry-After",
                    Integer.toString(
                        rig.platform() == Platform.DATABRICKS ? 1 : SECONDS_RETRY_AFTER))
                .body(body);
        case RETRY_AFTER_DATE ->
            f.status(429)
                .header(
                    "Retry-After",
                    HTTP_DATE.format(
                        time.now().plusSeconds(rig.platform() == Platform.DATABRICKS ? 2 : 10)))
                .body(body);
        case S500 -> f.status(500).body(body);
        case S502 -> f.status(502).body(body);
        case S503 -> f.status(503).body(body);
        case DROP -> f.drop();
        case READ_TIMEOUT -> f.hang();
        case UNAUTHORIZED_ONCE -> f.status(401).body(body);
        case NOT_FOUND_AFTER_CREATE -> f.status(404).body(body).times(2);
        case SLOW_LRO -> {
          if (emulator instanceof FabricEmulator fe) {
            fe.longRunningOperations(true).operationPolls(3);
          } else if (emulator instanceof SynapseEmulator se) {
            se.operationPolls(3);
          }
          return;
        }
      }
      emulator.inject(f.build());
    }

    Outcome run() throws Exception {
      Platform p = rig.platform();
      JobConfig config = rig.config(job);
      DeploymentResult previous = null;
      if (step != Step.CREATE_JOB && step.deploys()) {
        previous = deployer.deployAsJob(writeApp("v1"), config);
      }
      Path v2 = writeApp("v2");
      emulator.journal().clear();
      String current = "v1";
      DeploymentResult deployed;
      String runId;
      JobStatus status;
      try {
        inject(Step.CREATE_JOB);
        inject(Step.UPDATE_JOB);
        inject(Step.UPLOAD);
        inject(Step.MANIFEST);
        deployed = deployer.deployAsJob(v2, config);
        current = "v2";
        if (!step.deploys()) {
          previous = deployed; // the release the run steps must leave runnable
        }
        if (previous != null && step.deploys()) {
          assertThat(deployed.jobId()).as("job id kept").isEqualTo(previous.jobId());
        }
        inject(Step.SUBMIT);
        runId = deployer.runJob(deployed.jobId(), Map.of());
        inject(Step.POLL);
        status = deployer.awaitRun(runId, WAIT);
        assertThat(status.state()).as("final state " + status).isEqualTo(RunState.SUCCEEDED);
        inject(Step.LOGS);
        RunLogs logs = deployer.logs(runId);
        assertThat(logs.output()).contains("hello from v2");
        if (step == Step.CANCEL) {
          String lingering = deployer.runJob(deployed.jobId(), Map.of("linger", "yes"));
          inject(Step.CANCEL);
          deployer.cancelJob(lingering);
          JobStatus cancelled = deployer.awaitRun(lingering, CANCEL_WAIT);
          assertThat(cancelled.state()).as("cancelled " + cancelled).isEqualTo(RunState.CANCELLED);
        }
      } catch (KindlingException e) {
        return failedCleanly(e, previous, current);
      }
      checkInvariants(1);
      return new Outcome(p, step, kind, "PASS", "completed" + waits());
    }

    /** A typed failure: it must name the step and the platform error, and leave a runnable job. */
    Outcome failedCleanly(KindlingException e, DeploymentResult previous, String current)
        throws Exception {
      Platform p = rig.platform();
      remember(e);
      if (!permanentAllowed()) {
        return new Outcome(p, step, kind, "FAIL", "transient fault failed the cycle: " + e);
      }
      String message = String.valueOf(e.getMessage());
      assertThat(STEP_WORDS.get(step).matcher(message).find())
          .as("message names the step: " + message)
          .isTrue();
      if (kind == Kind.S500) {
        assertThat(message).as("message carries the platform error").contains("injected fault");
      }
      emulator.clearFaults();
      if (previous == null) {
        checkInvariants(0);
        return new Outcome(p, step, kind, "PASS", "typed failure, no job left: " + brief(message));
      }
      checkInvariants(1);
      // the job still runs the last good release
      String runId = deployer.runJob(previous.jobId(), Map.of());
      JobStatus s = deployer.awaitRun(runId, WAIT);
      assertThat(s.state()).as("previous release still runs: " + s).isEqualTo(RunState.SUCCEEDED);
      assertThat(deployer.logs(runId).output()).contains("hello from " + current);
      return new Outcome(
          p, step, kind, "PASS", "typed failure, " + current + " still runs: " + brief(message));
    }

    /** Which faults may end the cycle with a typed failure. */
    boolean permanentAllowed() {
      // a create or a run submission that failed ambiguously (no answer, 502, 503: the service may
      // or may not have acted) is reconciled by listing, never resent blindly, and completes
      return kind == Kind.S500;
    }

    void checkInvariants(int expectedJobs) {
      emulator.clearFaults();
      List<JobInfo> jobs =
          deployer.listJobs().stream().filter(j -> j.name().equalsIgnoreCase(job)).toList();
      SEEN.add(jobs.toString());
      assertThat(jobs).as("job definitions named " + job).hasSizeLessThanOrEqualTo(1);
      if (expectedJobs == 1) {
        assertThat(jobs).as("job definitions named " + job).hasSize(1);
      }
      String[] c = creates(rig.platform(), job);
      Journal journal = emulator.journal();
      long created =
          journal.requests(c[0], c[1]).stream()
              .filter(e -> e.status() >= 200 && e.status() < 300)
              .count();
      // the journal starts before the deploy under test: it creates only when no job exists yet
      long allowed =
          step == Step.CREATE_JOB || !step.deploys() || rig.platform() == Platform.SYNAPSE ? 1 : 0;
      assertThat(created).as("successful creates\n" + journal).isLessThanOrEqualTo(allowed);
      if (rig.platform() == Platform.DATABRICKS || rig.platform() == Platform.FABRIC) {
        // a create that reached the emulator (not a fault) is never sent twice
        long reached =
            journal.requests(c[0], c[1]).stream().filter(e -> e.fault().isEmpty()).count();
        assertThat(reached)
            .as("creates that reached the service\n" + journal)
            .isLessThanOrEqualTo(1);
      }
      checkWaits();
    }

    /** Retry-After honoured (not shorter, not 10x longer); every wait inside the retry budget. */
    void checkWaits() {
      List<Duration> sleeps = time.sleeps();
      assertThat(time.slept()).as("total retry wait").isLessThanOrEqualTo(Duration.ofMinutes(5));
      if (rig.platform() == Platform.DATABRICKS) {
        return; // the SDK's own retries sleep for real: bounded by the suite's runtime
      }
      if (kind == Kind.RETRY_AFTER_SECONDS && injectedAt != null && faultFired()) {
        assertThat(sleeps).as("waits").contains(Duration.ofSeconds(SECONDS_RETRY_AFTER));
      }
      if (kind == Kind.RETRY_AFTER_DATE && injectedAt != null && faultFired()) {
        assertThat(sleeps)
            .as("waits")
            .anyMatch(d -> !d.isNegative() && d.compareTo(Duration.ofSeconds(11)) <= 0);
      }
    }

    boolean faultFired() {
      return !emulator.journal().entries(e -> !e.fault().isEmpty()).isEmpty();
    }

    String waits() {
      List<Duration> s = time.sleeps();
      return s.isEmpty() ? "" : ", waited " + s.stream().map(Duration::toString).toList();
    }
  }

  /** Every message of {@code t} and its causes, and its toString(), for the secret scan. */
  static void remember(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      SEEN.add(c.toString());
      SEEN.add(String.valueOf(c.getMessage()));
    }
  }

  static String brief(String s) {
    String one = s.replace('\n', ' ');
    return one.length() > 110 ? one.substring(0, 110) + "..." : one;
  }

  // ------------------------------------------------------------------------------- the table

  static String table(List<Outcome> all, Duration took) {
    StringBuilder sb = new StringBuilder();
    sb.append("\n==== Fault matrix: platform x step x fault ====\n");
    sb.append(
        String.format("%-11s %-11s %-22s %-5s %s%n", "platform", "step", "fault", "", "detail"));
    for (Outcome o : all) {
      sb.append(
          String.format(
              "%-11s %-11s %-22s %-5s %s%n",
              o.platform().id(),
              o.step().name().toLowerCase(Locale.ROOT),
              o.kind().label,
              o.result(),
              brief(o.detail())));
    }
    long pass = all.stream().filter(o -> o.result().equals("PASS")).count();
    long skip = all.stream().filter(o -> o.result().equals("SKIP")).count();
    long fail = all.stream().filter(Outcome::failed).count();
    sb.append(
        String.format(
            "scenarios: %d, passed: %d, expected-skip: %d, failed: %d (in %d s)%n",
            all.size(), pass, skip, fail, took.toSeconds()));
    return sb.toString();
  }
}
