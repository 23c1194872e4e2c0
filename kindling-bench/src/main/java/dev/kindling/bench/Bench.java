package dev.kindling.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kindling.azure.AzureCredentials;
import dev.kindling.azure.DfsArtifactStore;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.PollOptions;
import dev.kindling.core.run.RunPoller;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.databricks.DatabricksPlatformService;
import dev.kindling.fabric.FabricPlatformService;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorFactory;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.EmulatorServer;
import dev.kindling.testkit.emulator.Journal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The benchmark of issue 8: deploys, redeploys, memory, waiting at scale and CLI start-up against
 * the cloud emulators with an injected per-request latency. See {@code docs/performance.md}.
 *
 * <p>{@code ./mvnw -pl kindling-bench exec:java -Dexec.args="--latency-ms=25 --large-mb=60"}; every
 * option is listed by {@code --help}.
 */
public final class Bench {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern BLOB = Pattern.compile("/blobs/([0-9a-f]{64})/");
  private static final String TARGET = "bench";

  /** What to run and how big. */
  public record Options(
      boolean smoke,
      int latencyMs,
      int smallFiles,
      int largeFiles,
      int largeMb,
      int memoryFileMb,
      String memoryHeap,
      int runs,
      int runWindowSeconds,
      int listPageSize,
      int jobs,
      boolean listActiveOnly,
      int cliRepeats,
      List<String> platforms,
      List<Integer> scenarios,
      Path out,
      Path repo,
      Path workDir) {

    /** The full run's defaults (the sizes). */
    public static Options defaults() {
      return new Options(
          false,
          25,
          200,
          5,
          60,
          1024,
          "128m",
          1000,
          60,
          100,
          1,
          false,
          10,
          List.of("fabric", "databricks", "synapse"),
          List.of(1, 2, 3, 4, 5, 6),
          Path.of(System.getProperty("bench.out", "target")),
          Path.of(System.getProperty("bench.repo", ".")),
          memoryBackedOr(Path.of(System.getProperty("bench.out", "target"))));
    }

    /**
     * Where the generated app and the emulators' data go by default: {@code /dev/shm} when it is a
     * writable memory-backed directory with room for a full run (8 GiB), else {@code fallback}. The
     * emulators stand in for cloud storage; on a disk, the host's page-cache writeback (several GB
     * are written per run) would stall their writes at random moments and enter the measurements.
     */
    static Path memoryBackedOr(Path fallback) {
      Path shm = Path.of("/dev/shm");
      try {
        if (Files.isDirectory(shm)
            && Files.isWritable(shm)
            && Files.getFileStore(shm).getUsableSpace() >= 8L << 30) {
          return shm;
        }
      } catch (IOException e) {
        // not usable: the fallback
      }
      return fallback;
    }

    /** The CI smoke mode: small sizes, deterministic checks only, well under a minute. */
    public static Options smoke(Path out) {
      return new Options(
          true,
          5,
          20,
          2,
          4,
          256,
          "128m",
          100,
          3,
          100,
          1,
          false,
          0,
          List.of("fabric", "databricks", "synapse"),
          List.of(1, 2, 3, 4, 5),
          out,
          Path.of("."),
          out);
    }

    static Options parse(String[] args) {
      Options o = defaults();
      Map<String, String> m = new LinkedHashMap<>();
      for (String a : args) {
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println(
              "options: --smoke --latency-ms=25 --small=200 --large=5 --large-mb=60"
                  + " --memory-mb=1024 --memory-heap=128m --runs=1000 --run-window-s=60"
                  + " --list-page-size=100 --jobs=1 --list-active-only=false"
                  + " --cli-repeats=10 --platforms=fabric,databricks,synapse"
                  + " --scenarios=1,2,3,4,5,6 --out=DIR --work-dir=DIR (default /dev/shm when"
                  + " it has 8 GiB free, else the --out directory)");
          System.exit(0);
        }
        if (a.equals("--smoke")) {
          o = smoke(o.out());
          continue;
        }
        int eq = a.indexOf('=');
        if (!a.startsWith("--") || eq < 0) {
          throw new IllegalArgumentException("unknown argument " + a + " (see --help)");
        }
        m.put(a.substring(2, eq), a.substring(eq + 1));
      }
      return new Options(
          o.smoke(),
          intOr(m, "latency-ms", o.latencyMs()),
          intOr(m, "small", o.smallFiles()),
          intOr(m, "large", o.largeFiles()),
          intOr(m, "large-mb", o.largeMb()),
          intOr(m, "memory-mb", o.memoryFileMb()),
          m.getOrDefault("memory-heap", o.memoryHeap()),
          intOr(m, "runs", o.runs()),
          intOr(m, "run-window-s", o.runWindowSeconds()),
          intOr(m, "list-page-size", o.listPageSize()),
          intOr(m, "jobs", o.jobs()),
          m.containsKey("list-active-only")
              ? Boolean.parseBoolean(m.get("list-active-only"))
              : o.listActiveOnly(),
          intOr(m, "cli-repeats", o.cliRepeats()),
          m.containsKey("platforms") ? Arrays.asList(m.get("platforms").split(",")) : o.platforms(),
          m.containsKey("scenarios")
              ? Arrays.stream(m.get("scenarios").split(",")).map(Integer::valueOf).toList()
              : o.scenarios(),
          m.containsKey("out") ? Path.of(m.get("out")) : o.out(),
          o.repo(),
          m.containsKey("work-dir")
              ? Path.of(m.get("work-dir"))
              : m.containsKey("out") && o.workDir().equals(o.out())
                  ? Path.of(m.get("out"))
                  : o.workDir());
    }

    private static int intOr(Map<String, String> m, String key, int dflt) {
      return m.containsKey(key) ? Integer.parseInt(m.get(key)) : dflt;
    }
  }

  /**
   * One measurement.
   *
   * @param platform platform id, or {@code all}
   * @param scenario e.g. {@code 1 first deploy}
   * @param measured the measured value
   * @param bound the lower bound or limit it is compared with
   * @param unit unit of both
   * @param ratio measured / bound
   * @param target the target for the ratio or value, in words
   * @param met whether the target was met
   * @param details counts behind the numbers
   */
  public record Row(
      String platform,
      String scenario,
      double measured,
      double bound,
      String unit,
      double ratio,
      String target,
      boolean met,
      Map<String, Object> details) {}

  private final Options options;
  private final Duration latency;
  private final List<Row> rows = Collections.synchronizedList(new ArrayList<>());

  public Bench(Options options) {
    this.options = options;
    this.latency = Duration.ofMillis(options.latencyMs());
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Bench b = new Bench(o);
    List<Row> rows = b.run();
    System.out.println(table(rows));
    Path json = b.writeJson();
    System.out.println("results: " + json.toAbsolutePath());
    System.exit(0); // emulator and HTTP threads are daemons, but do not wait for pools to idle
  }

  /** Runs the selected scenarios; returns every row. */
  public List<Row> run() throws Exception {
    Path work = Files.createDirectories(options.workDir().resolve("bench-work"));
    Path tmp = Files.createTempDirectory(work, "run-");
    try {
      if (options.scenarios().stream().anyMatch(s -> s <= 3)) {
        Path app = generateApp(tmp.resolve("app"));
        long generated = System.nanoTime();
        double throughput = loopbackThroughput(app, tmp.resolve("sink"));
        System.setProperty("kindling.cacheDir", tmp.resolve("warm-up-cache").toString());
        warmUp(app, tmp.resolve("warm-up"));
        // A file written less than 2 s before it is hashed is never taken from the hash cache
        // (HashCache.RACY_WINDOW); users do not edit files in the 2 s before they deploy.
        long settle = 2_100_000_000L - (System.nanoTime() - generated);
        if (settle > 0) {
          Thread.sleep(settle / 1_000_000L);
        }
        for (String platform : options.platforms()) {
          Path data = tmp.resolve("emu-" + platform);
          deployScenarios(platform, app, throughput, data);
          deleteTree(data); // what it wrote leaves the page cache before the next platform runs
        }
      }
      if (options.scenarios().contains(4)) {
        memoryScenario(tmp.resolve("memory"));
      }
      if (options.scenarios().contains(5)) {
        waitScenario();
      }
      if (options.scenarios().contains(6)) {
        cliScenario(tmp.resolve("cli"));
      }
    } finally {
      deleteTree(tmp);
    }
    return List.copyOf(rows);
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  // ------------------------------------------------------------------------------ the app

  /** 200 small Python modules (1–20 KB) and 5 large data files, random bytes, fixed seed. */
  Path generateApp(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("lib"));
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("app.yaml"),
        "name: bench-app\nversion: 1.0.0\nentry_point: app.py\ninclude:\n  - data/**\n");
    Files.writeString(dir.resolve("app.py"), "print('bench')\n");
    SplittableRandom random = new SplittableRandom(8);
    for (int i = 0; i < options.smallFiles(); i++) {
      int size = 1024 + random.nextInt(19 * 1024 + 1);
      Files.writeString(dir.resolve(String.format("lib/mod_%03d.py", i)), pythonText(random, size));
    }
    byte[] buf = new byte[1 << 20];
    for (int i = 0; i < options.largeFiles(); i++) {
      try (OutputStream os = Files.newOutputStream(dir.resolve("data/large_" + i + ".bin"))) {
        for (int mb = 0; mb < options.largeMb(); mb++) {
          random.nextBytes(buf);
          os.write(buf);
        }
      }
    }
    return dir;
  }

  private static String pythonText(SplittableRandom random, int size) {
    StringBuilder sb = new StringBuilder(size + 64);
    while (sb.length() < size) {
      sb.append("X_").append(Long.toHexString(random.nextLong())).append(" = ");
      sb.append(random.nextInt()).append('\n');
    }
    sb.setLength(size - 1);
    return sb.append('\n').toString();
  }

  // ------------------------------------------------------------------------------ scenarios 1–3

  /**
   * What the loopback moves per second here: the app's large files PUT in parallel (the deploy's
   * concurrency) to an emulator server that writes them to disk, with no latency and no hashing.
   */
  double loopbackThroughput(Path app, Path sinkDir) throws Exception {
    Files.createDirectories(sinkDir);
    List<Path> files;
    try (Stream<Path> s = Files.list(app.resolve("data"))) {
      files = s.sorted().toList();
    }
    if (files.isEmpty()) {
      files = List.of(app.resolve("app.py"));
    }
    AtomicLong n = new AtomicLong();
    try (EmulatorServer sink = new EmulatorServer("loopback", 0)) {
      sink.route(
          "PUT",
          "/sink/.*",
          r -> {
            Path f = sinkDir.resolve("f" + n.incrementAndGet());
            Files.copy(r.body(), f);
            Files.delete(f);
            return EmulatorServer.Response.empty(201);
          });
      OkHttpClient client = new OkHttpClient();
      ExecutorService pool = Executors.newFixedThreadPool(ReleasePublisher.DEFAULT_CONCURRENCY);
      try {
        double best = 0;
        for (int round = 0; round < 2; round++) { // the first round warms up the JIT
          long bytes = 0;
          long t0 = System.nanoTime();
          List<Future<?>> futures = new ArrayList<>();
          for (Path f : files) {
            bytes += Files.size(f);
            futures.add(
                pool.submit(
                    () -> {
                      Request req =
                          new Request.Builder()
                              .url(sink.baseUrl() + "/sink/" + f.getFileName())
                              .put(
                                  RequestBody.create(
                                      f.toFile(), MediaType.get("application/octet-stream")))
                              .build();
                      try (Response resp = client.newCall(req).execute()) {
                        if (resp.code() != 201) {
                          throw new IOException("sink answered " + resp.code());
                        }
                      }
                      return null;
                    }));
          }
          for (Future<?> f : futures) {
            f.get();
          }
          double seconds = (System.nanoTime() - t0) / 1e9;
          best = Math.max(best, bytes / seconds);
        }
        return best;
      } finally {
        pool.shutdownNow();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    }
  }

  /**
   * Untimed deploys of the app to each platform's emulator without latency, so the timed scenarios
   * measure a warmed JVM (a cold start is what scenario 6 measures): {@value #WARM_UP_ROUNDS} first
   * deploys to a fresh emulator each (each uploads every file, so the upload path is compiled
   * before the first timed deploy, whichever platform comes first), then one unchanged redeploy.
   */
  private void warmUp(Path app, Path data) throws Exception {
    for (int round = 0; round < WARM_UP_ROUNDS; round++) {
      for (String platform : options.platforms()) {
        Path dir = Files.createDirectories(data.resolve(platform + "-" + round));
        try (Emulator emulator = start(platform, dir)) {
          Path config = writeConfig(emulator.target(), dir.resolve("kindling.yaml"));
          int deploys = round == WARM_UP_ROUNDS - 1 ? 2 : 1;
          for (int i = 0; i < deploys; i++) {
            try (Kindling k = Kindling.fromConfig(config, TARGET)) {
              k.deployer().deployAsJob(app, JobConfig.builder().build());
            }
          }
        }
        deleteTree(dir);
      }
    }
  }

  private static final int WARM_UP_ROUNDS = 3;

  /**
   * When the first deploy's requests were answered, in milliseconds from its start: the first
   * answer, the first and last blob request's answers, and the last answer (where the time before,
   * between and after the uploads went).
   */
  private static Map<String, Object> timeline(Instant start, List<Journal.Entry> entries) {
    Map<String, Object> t = new LinkedHashMap<>();
    List<String> control = new ArrayList<>();
    long first = Long.MAX_VALUE;
    long last = 0;
    long firstBlob = Long.MAX_VALUE;
    long lastBlob = 0;
    for (Journal.Entry e : entries) {
      long ms = Duration.between(start, e.time()).toMillis();
      first = Math.min(first, ms);
      last = Math.max(last, ms);
      if (BLOB.matcher(e.path()).find()) {
        firstBlob = Math.min(firstBlob, ms);
        lastBlob = Math.max(lastBlob, ms);
      } else {
        control.add("+" + ms + " ms " + e);
      }
    }
    t.put("first_answer", first);
    t.put("first_blob_answer", firstBlob);
    t.put("last_blob_answer", lastBlob);
    t.put("last_answer", last);
    t.put("control_requests", control);
    return t;
  }

  /** Seconds to load and hash the app as a deploy does, without touching the platform. */
  private static double prepareSeconds(Path config, Path app) {
    try (Kindling k = Kindling.fromConfig(config, TARGET)) {
      long t0 = System.nanoTime();
      k.deployer().prepare(app, JobConfig.builder().build()).close();
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  private void deployScenarios(String platform, Path app, double throughput, Path data)
      throws Exception {
    Files.createDirectories(data);
    try (Emulator emulator = start(platform, data)) {
      Path config = writeConfig(emulator.target(), data.resolve("kindling.yaml"));
      emulator.latency(latency);

      // 1. first deploy: with an empty hash cache, as the very first deploy of an app would be
      // (the same cache then serves scenarios 2 and 3, as it would a user's redeploys)
      System.setProperty("kindling.cacheDir", data.resolve("hash-cache").toString());
      emulator.journal().clear();
      Instant start = Instant.now();
      long t0 = System.nanoTime();
      DeploymentResult first;
      try (Kindling k = Kindling.fromConfig(config, TARGET)) {
        first = k.deployer().deployAsJob(app, JobConfig.builder().build());
      }
      double firstSeconds = (System.nanoTime() - t0) / 1e9;
      List<Journal.Entry> entries = emulator.journal().entries();
      Map<String, Integer> perBlob = new HashMap<>();
      for (Journal.Entry e : entries) {
        Matcher m = BLOB.matcher(e.path());
        if (m.find()) {
          perBlob.merge(m.group(1), 1, Integer::sum);
        }
      }
      int blobRequests = perBlob.values().stream().mapToInt(Integer::intValue).sum();
      int longestChain = perBlob.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      int control = entries.size() - blobRequests;
      ArtifactStore store = bareStore(platform, emulator, config);
      int c = store.uploadConcurrency(); // the lanes the deploy used
      int uploadRounds =
          Math.max(longestChain, (blobRequests + c - 1) / c); // C lanes, each chain sequential
      double bytesSeconds = first.bytesUploaded() / throughput;
      double bound = (control + uploadRounds) * latency.toNanos() / 1e9 + bytesSeconds;
      Map<String, Object> d1 = new LinkedHashMap<>();
      d1.put("requests", entries.size());
      d1.put("control_requests", control);
      d1.put("blob_requests", blobRequests);
      d1.put("longest_blob_chain", longestChain);
      d1.put("concurrency", c);
      d1.put("files", first.filesTotal());
      d1.put("files_uploaded", first.filesUploaded());
      d1.put("bytes_uploaded", first.bytesUploaded());
      d1.put("loopback_mb_per_s", round(throughput / 1e6));
      d1.put("timeline_ms", timeline(start, entries));
      System.setProperty("kindling.hashCache", "off");
      try {
        d1.put("load_and_hash_uncached_s", round(prepareSeconds(config, app)));
      } finally {
        System.clearProperty("kindling.hashCache");
      }
      add(platform, "1 first deploy", firstSeconds, bound, "s", "ratio <= 1.3", 1.3, true, d1);

      // 1b. the baseline: one file at a time through the bare store, every file, read into memory,
      // each written straight to its name in the fewest requests the store's API allows (DFS:
      // create + one append that flushes; a volume: one PUT), without the temporary name and
      // rename that upload() adds for files readers must never see half-written
      emulator.journal().clear();
      long t1 = System.nanoTime();
      List<Path> files = files(app);
      for (Path f : files) {
        byte[] bytes = Files.readAllBytes(f);
        String rel = app.relativize(f).toString().replace('\\', '/');
        store.uploadContentAddressed(
            "baseline/" + rel, new ByteArrayInputStream(bytes), bytes.length);
      }
      double baselineSeconds = (System.nanoTime() - t1) / 1e9;
      Map<String, Object> d1b = new LinkedHashMap<>();
      d1b.put("requests", emulator.journal().size());
      d1b.put("baseline_s", round(baselineSeconds));
      d1b.put("deploy_s", round(firstSeconds));
      d1b.put("files", files.size());
      add(
          platform,
          "1b speed-up vs sequential baseline",
          baselineSeconds / firstSeconds,
          5,
          "x",
          ">= 5x",
          -5,
          true,
          d1b);

      // 2. unchanged redeploy
      emulator.journal().clear();
      Instant start2 = Instant.now();
      long t2 = System.nanoTime();
      DeploymentResult second;
      double build2;
      try (Kindling k = Kindling.fromConfig(config, TARGET)) {
        build2 = (System.nanoTime() - t2) / 1e9;
        second = k.deployer().deployAsJob(app, JobConfig.builder().build());
      }
      double secondSeconds = (System.nanoTime() - t2) / 1e9;
      int requests2 = emulator.journal().size();
      Map<String, Object> d2 = new LinkedHashMap<>();
      d2.put("requests", requests2);
      d2.put("load_and_hash_s", round(prepareSeconds(config, app)));
      d2.put("kindling_build_s", round(build2));
      d2.put("bytes_uploaded", second.bytesUploaded());
      d2.put("files_uploaded", second.filesUploaded());
      redeployJournal(emulator, start2, d2);
      boolean ok2 = second.bytesUploaded() == 0 && requests2 <= 6;
      add(
          platform,
          "2 unchanged redeploy",
          secondSeconds,
          10 * latency.toNanos() / 1e9,
          "s",
          "0 bytes, <= 6 requests, <= 10 x L",
          1.0,
          ok2,
          d2);

      // 3. one 20 KB file changed
      Path changed = app.resolve("lib/mod_000.py");
      String before = Files.readString(changed);
      Files.writeString(changed, pythonText(new SplittableRandom(System.nanoTime()), 20 * 1024));
      try {
        emulator.journal().clear();
        Instant start3 = Instant.now();
        long t3 = System.nanoTime();
        DeploymentResult third;
        double build3;
        try (Kindling k = Kindling.fromConfig(config, TARGET)) {
          build3 = (System.nanoTime() - t3) / 1e9;
          third = k.deployer().deployAsJob(app, JobConfig.builder().build());
        }
        double thirdSeconds = (System.nanoTime() - t3) / 1e9;
        Map<String, Object> d3 = new LinkedHashMap<>();
        d3.put("requests", emulator.journal().size());
        d3.put("load_and_hash_s", round(prepareSeconds(config, app)));
        d3.put("kindling_build_s", round(build3));
        d3.put("files_uploaded", third.filesUploaded());
        d3.put("bytes_uploaded", third.bytesUploaded());
        redeployJournal(emulator, start3, d3);
        add(
            platform,
            "3 one file changed",
            thirdSeconds,
            15 * latency.toNanos() / 1e9,
            "s",
            "uploads 1 blob, <= 15 x L",
            1.0,
            third.filesUploaded() == 1,
            d3);
      } finally {
        Files.writeString(changed, before);
      }
    }
  }

  /**
   * A redeploy's journal, each request with the milliseconds from the deploy's start to its answer,
   * and {@code round_trips}: how many sequential rounds of L the requests took, counting answers
   * less than L / 2 after the first answer of a round as the same round (requests sent together).
   */
  private void redeployJournal(Emulator emulator, Instant start, Map<String, Object> details) {
    List<Journal.Entry> entries = new ArrayList<>(emulator.journal().entries());
    entries.sort(java.util.Comparator.comparing(Journal.Entry::time));
    List<String> lines = new ArrayList<>();
    int rounds = 0;
    Instant round = null;
    for (Journal.Entry e : entries) {
      if (round == null || Duration.between(round, e.time()).compareTo(latency.dividedBy(2)) >= 0) {
        rounds++;
        round = e.time();
      }
      lines.add(
          String.format(Locale.ROOT, "+%d ms %s", Duration.between(start, e.time()).toMillis(), e));
    }
    details.put("round_trips", rounds);
    details.put("journal", lines);
  }

  /** The platform's store as a user of the bare APIs would build it. */
  private static ArtifactStore bareStore(String platform, Emulator emulator, Path config) {
    Kindling k = Kindling.fromConfig(config, TARGET);
    return switch (platform) {
      case "fabric" -> ((FabricPlatformService) k.platform()).store();
      case "databricks" -> ((DatabricksPlatformService) k.platform()).store();
      case "synapse" -> {
        Map<String, Object> t = emulator.target();
        @SuppressWarnings("unchecked")
        Map<String, Object> auth = (Map<String, Object>) t.get("auth");
        yield DfsArtifactStore.builder()
            .root(String.valueOf(t.get("artifacts_path")))
            .endpoint(URI.create(String.valueOf(t.get("storage_url"))))
            .platform("synapse")
            .tokens(AzureCredentials.from(AuthConfig.token(Secret.of((String) auth.get("token")))))
            .build();
      }
      default -> throw new IllegalArgumentException("no baseline store for " + platform);
    };
  }

  // ------------------------------------------------------------------------------ scenario 4

  private void memoryScenario(Path dir) throws Exception {
    Path app = Files.createDirectories(dir.resolve("app"));
    Files.createDirectories(app.resolve("data"));
    Files.writeString(
        app.resolve("app.yaml"),
        "name: bench-memory\nversion: 1.0.0\nentry_point: app.py\ninclude:\n  - data/**\n");
    Files.writeString(app.resolve("app.py"), "print('memory')\n");
    long size = (long) options.memoryFileMb() << 20;
    for (int i = 0; i < 2; i++) {
      // sparse: quick to create, but every byte is still read, hashed and sent
      try (RandomAccessFile f =
          new RandomAccessFile(app.resolve("data/huge_" + i).toFile(), "rw")) {
        f.setLength(size);
        f.seek(0);
        f.writeBytes("file " + i + "\n");
      }
    }
    Path data = Files.createDirectories(dir.resolve("emu"));
    try (Emulator emulator = start("fabric", data)) {
      Path config = writeConfig(emulator.target(), data.resolve("kindling.yaml"));
      emulator.latency(latency);
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      List<String> cmd =
          List.of(
              java.toString(),
              "-Xmx" + options.memoryHeap(),
              "-cp",
              classPath(),
              MemoryProbe.class.getName(),
              config.toString(),
              TARGET,
              app.toString());
      Path log = dir.resolve("probe.log");
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean done = p.waitFor(30, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - t0) / 1e9;
      String out = Files.readString(log);
      int exit = done ? p.exitValue() : -1;
      if (!done) {
        p.destroyForcibly();
      }
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("exit", exit);
      d.put("files_mb", List.of(options.memoryFileMb(), options.memoryFileMb()));
      d.put("heap", options.memoryHeap());
      d.put("seconds", round(seconds));
      d.put("out_of_memory", out.contains("OutOfMemoryError"));
      Matcher m = Pattern.compile("bytes=(\\d+) heap_peak=(\\d+) live_peak=(\\d+)").matcher(out);
      long live = -1;
      long bytes = -1;
      if (m.find()) {
        bytes = Long.parseLong(m.group(1));
        d.put("heap_pools_peak_sum_mb", round(Long.parseLong(m.group(2)) / 1048576.0));
        live = Long.parseLong(m.group(3));
      } else {
        d.put("output", tail(out, 2000));
      }
      d.put("bytes_uploaded", bytes);
      double heapMb = MemorySizes.megabytes(options.memoryHeap());
      // met: the child finished and streamed every byte; the live peak is reported, not judged
      add(
          "fabric",
          "4 memory (2 x " + options.memoryFileMb() + " MB, -Xmx" + options.memoryHeap() + ")",
          live / 1048576.0,
          heapMb,
          "MB live heap",
          "succeeds, all bytes streamed",
          Double.MAX_VALUE,
          exit == 0 && bytes >= 2 * size,
          d);
    }
  }

  /** The class path this JVM runs with, whether started by java, exec:java or surefire. */
  static String classPath() {
    List<String> entries = new ArrayList<>();
    ClassLoader cl = Bench.class.getClassLoader();
    while (cl != null) {
      if (cl instanceof URLClassLoader u) {
        for (URL url : u.getURLs()) {
          try {
            entries.add(Path.of(url.toURI()).toString());
          } catch (Exception e) {
            // not a file: skip
          }
        }
      }
      cl = cl.getParent();
    }
    String own = System.getProperty("java.class.path", "");
    if (!own.isEmpty()) {
      entries.add(own);
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  // ------------------------------------------------------------------------------ scenario 5

  /**
   * {@code runs} runs on a fake platform in this JVM ({@link WaitingPlatform}: each status call and
   * each page of a list call takes L, like the network would), spread over {@code --jobs} jobs,
   * each ending at a random moment within the window, all awaited through one {@link RunPoller}
   * with the platforms' default poll interval (5 s) and the deployer's backoff cap. The poller
   * lists each job's runs once per interval and fetches alone the runs the list does not show. Real
   * clock.
   */
  private void waitScenario() throws Exception {
    int runs = options.runs();
    Duration window = Duration.ofSeconds(options.runWindowSeconds());
    Duration interval = options.smoke() ? Duration.ofMillis(500) : Duration.ofSeconds(5);
    SplittableRandom random = new SplittableRandom(5);
    Instant start = Instant.now();
    Map<String, Instant> ends = new ConcurrentHashMap<>();
    for (int i = 0; i < runs; i++) {
      ends.put("run-" + i, start.plusMillis(random.nextLong(window.toMillis() + 1)));
    }
    WaitingPlatform platform =
        new WaitingPlatform(
            ends, options.jobs(), options.listPageSize(), options.listActiveOnly(), latency);
    Map<String, Instant> noticed = new ConcurrentHashMap<>();
    int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    ManagementFactory.getThreadMXBean().resetPeakThreadCount();
    PollOptions po =
        PollOptions.defaults()
            .withInterval(interval)
            .withMaxInterval(interval.multipliedBy(6))
            .withDeadline(start.plus(window).plus(Duration.ofMinutes(5)));
    try (RunPoller poller = RunPoller.create()) {
      List<CompletableFuture<JobStatus>> futures = new ArrayList<>();
      for (String run : ends.keySet()) {
        futures.add(
            poller
                .watch(run, platform, po)
                .whenComplete((s, e) -> noticed.put(run, Instant.now())));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
    }
    int peakThreads = ManagementFactory.getThreadMXBean().getPeakThreadCount() - threadsBefore;
    double[] lags =
        ends.entrySet().stream()
            .mapToDouble(e -> Duration.between(e.getValue(), noticed.get(e.getKey())).toMillis())
            .sorted()
            .toArray();
    double runMinutes =
        ends.values().stream().mapToDouble(e -> Duration.between(start, e).toMillis()).sum()
            / 60_000.0;
    long requests = platform.listRequests() + platform.singleRequests();
    double perRunMinute = requests / Math.max(runMinutes, 1e-9);
    // one interval, stretched by at most the jitter (the group's next tick is counted from the
    // start of the last, so the list pages' time is inside it)
    double lagBound = interval.toMillis() * (1 + po.jitter()) / 1000.0;
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("runs", runs);
    d.put("window_s", window.toSeconds());
    d.put("poll_interval_s", interval.toMillis() / 1000.0);
    d.put("jobs", options.jobs());
    d.put("list_page_size", options.listPageSize());
    d.put("list_shows", options.listActiveOnly() ? "active runs" : "all runs of the job");
    // the time one full listing of a job takes (its pages are read one after the other): part of
    // every detection lag, and not covered by the bound
    int perJob = (runs + options.jobs() - 1) / options.jobs();
    int pages = (perJob + options.listPageSize() - 1) / options.listPageSize();
    d.put("one_listing_s", round(pages * latency.toMillis() / 1000.0));
    d.put("status_requests", requests);
    d.put("list_requests", platform.listRequests());
    d.put("single_requests", platform.singleRequests());
    d.put("extra_threads_peak", peakThreads);
    d.put("lag_p50_s", round(percentile(lags, 0.50) / 1000));
    d.put("lag_p99_s", round(percentile(lags, 0.99) / 1000));
    d.put("lag_max_s", round(lags[lags.length - 1] / 1000));
    add(
        "fake",
        "5 status requests per run-minute (" + runs + " runs)",
        perRunMinute,
        12 * 5000.0 / interval.toMillis(),
        "req/run-min",
        "<= 12 at a 5 s interval",
        1.0,
        true,
        d);
    add(
        "fake",
        "5 detection lag p99",
        percentile(lags, 0.99) / 1000,
        lagBound,
        "s",
        "within one poll interval (+ jitter)",
        1.0,
        true,
        d);
    add("fake", "5 extra threads while waiting", peakThreads, 8, "threads", "<= 8", 1.0, true, d);
  }

  private static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  // ------------------------------------------------------------------------------ scenario 6

  private void cliScenario(Path dir) throws Exception {
    Optional<Path> jar = cliJar();
    if (jar.isEmpty() || options.cliRepeats() < 1) {
      System.err.println(
          "scenario 6 skipped: no kindling-cli/target/kindling-cli-*-all.jar under "
              + options.repo().toAbsolutePath()
              + " (build it with ./mvnw -pl kindling-cli -am package)");
      return;
    }
    Path data = Files.createDirectories(dir.resolve("emu"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Path home = Files.createDirectories(dir.resolve("home"));
    try (Emulator emulator = start("fabric", data)) {
      Path config = writeConfig(emulator.target(), work.resolve("kindling.yaml"));
      String runId;
      try (Kindling k = Kindling.fromConfig(config, TARGET)) {
        DeploymentResult r =
            k.deployer()
                .deployAsJob(
                    options.repo().resolve("examples/hello-python"), JobConfig.builder().build());
        runId = k.deployer().runJob(r.jobId(), Map.of());
        k.deployer().awaitRun(runId, Duration.ofMinutes(2));
      }
      emulator.latency(latency);
      // absolute: the CLI runs in its own working directory
      Path jsa = dir.toAbsolutePath().resolve("kindling-cli.jsa");
      List<String> launcher = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
      List<String> status = List.of("status", runId, "-t", TARGET, "-o", "json");
      // the AppCDS archive: written once by an untimed run of the command it is meant for
      List<String> dump = new ArrayList<>(launcher);
      dump.add("-XX:ArchiveClassesAtExit=" + jsa);
      cli(jar.get(), dump, status, work, home, dir);
      List<String> cds = new ArrayList<>(launcher);
      cds.add("-XX:SharedArchiveFile=" + jsa);
      Map<String, List<String>> variants = new LinkedHashMap<>();
      variants.put("java -jar", List.of());
      variants.put("./kindling flags", launcher);
      variants.put("./kindling flags + AppCDS", cds);
      for (List<String> args : List.of(List.of("--version"), status)) {
        boolean version = args.get(0).equals("--version");
        for (Map.Entry<String, List<String>> v : variants.entrySet()) {
          double[] times = new double[options.cliRepeats()];
          for (int i = 0; i < times.length; i++) {
            times[i] = cli(jar.get(), v.getValue(), args, work, home, dir);
          }
          double[] sorted = times.clone();
          Arrays.sort(sorted);
          Map<String, Object> d = new LinkedHashMap<>();
          d.put("min_s", round(sorted[0]));
          d.put("median_s", round(percentile(sorted, 0.5)));
          d.put("repeats", times.length);
          d.put("jvm_options", v.getValue());
          double limit = version ? 0.5 : 1.0;
          add(
              "cli",
              "6 " + (version ? "--version" : "status RUN -o json") + ", " + v.getKey(),
              percentile(sorted, 0.5),
              limit,
              "s (median)",
              "< " + limit + " s",
              1.0,
              true,
              d);
        }
      }
    }
  }

  /** Runs the CLI jar once; returns the wall time in seconds. */
  private static double cli(
      Path jar, List<String> jvm, List<String> args, Path work, Path home, Path dir)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    Path log = dir.resolve("cli.log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("HOME", home.toString());
    long t0 = System.nanoTime();
    int exit = pb.start().waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException(
          "kindling " + args + " exited " + exit + ": " + Files.readString(log));
    }
    return seconds;
  }

  private Optional<Path> cliJar() throws IOException {
    Path target = options.repo().toAbsolutePath().resolve("kindling-cli/target");
    if (!Files.isDirectory(target)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(target)) {
      return s.filter(p -> p.getFileName().toString().matches("kindling-cli-.*-all\\.jar"))
          .findFirst();
    }
  }

  // ------------------------------------------------------------------------------ output

  /**
   * Adds a row. {@code limitRatio} > 0: met when measured/bound is at most it; otherwise met when
   * measured is at least bound; and {@code otherwise} must hold too.
   */
  private void add(
      String platform,
      String scenario,
      double measured,
      double bound,
      String unit,
      String target,
      double limitRatio,
      boolean otherwise,
      Map<String, Object> details) {
    double ratio = bound == 0 ? Double.NaN : measured / bound;
    boolean met = otherwise && (limitRatio > 0 ? ratio <= limitRatio : measured >= bound);
    Row row =
        new Row(
            platform,
            scenario,
            round(measured),
            round(bound),
            unit,
            round(ratio),
            target,
            met,
            details);
    rows.add(row);
    System.err.printf(
        Locale.ROOT,
        "[bench] %-10s %-45s %10.3f %-12s bound %8.3f ratio %6.2f %s%n",
        platform,
        scenario,
        measured,
        unit,
        bound,
        ratio,
        met ? "ok" : "MISSED (" + target + ")");
  }

  /** The rows as one text table per platform. */
  public static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    Map<String, List<Row>> by =
        rows.stream()
            .collect(Collectors.groupingBy(Row::platform, LinkedHashMap::new, Collectors.toList()));
    for (Map.Entry<String, List<Row>> e : by.entrySet()) {
      sb.append("\n").append(e.getKey()).append('\n');
      sb.append(
          String.format(
              Locale.ROOT,
              "| %-48s | %12s | %12s | %-12s | %6s | %-34s | %-3s |%n",
              "scenario",
              "measured",
              "bound",
              "unit",
              "ratio",
              "target",
              "met"));
      sb.append("|").append("-".repeat(50)).append("|").append("-".repeat(14)).append("|");
      sb.append("-".repeat(14)).append("|").append("-".repeat(14)).append("|");
      sb.append("-".repeat(8)).append("|").append("-".repeat(36)).append("|-----|\n");
      for (Row r : e.getValue()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "| %-48s | %12.3f | %12.3f | %-12s | %6.2f | %-34s | %-3s |%n",
                r.scenario(),
                r.measured(),
                r.bound(),
                r.unit(),
                r.ratio(),
                r.target(),
                r.met() ? "yes" : "NO"));
      }
    }
    return sb.toString();
  }

  Path writeJson() throws IOException {
    Files.createDirectories(options.out());
    Path file = options.out().resolve(options.smoke() ? "bench-smoke.json" : "bench-results.json");
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("options", optionsMap());
    doc.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    doc.put("cpus", Runtime.getRuntime().availableProcessors());
    doc.put("rows", rows());
    JSON.writeValue(file.toFile(), doc);
    return file;
  }

  private Map<String, Object> optionsMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("smoke", options.smoke());
    m.put("latency_ms", options.latencyMs());
    m.put("small_files", options.smallFiles());
    m.put("large_files", options.largeFiles());
    m.put("large_mb", options.largeMb());
    m.put("memory_file_mb", options.memoryFileMb());
    m.put("memory_heap", options.memoryHeap());
    m.put("runs", options.runs());
    m.put("run_window_s", options.runWindowSeconds());
    m.put("cli_repeats", options.cliRepeats());
    return m;
  }

  // ------------------------------------------------------------------------------ helpers

  private static Emulator start(String platform, Path data) {
    EmulatorFactory f = EmulatorFactory.available().get(platform);
    if (f == null) {
      throw new IllegalArgumentException(
          "no emulator for " + platform + " (have " + EmulatorFactory.available().keySet() + ")");
    }
    return f.start(EmulatorOptions.in(data));
  }

  private static Path writeConfig(Map<String, Object> target, Path file) throws IOException {
    Files.writeString(
        file,
        "targets:\n  " + TARGET + ": " + new ObjectMapper().writeValueAsString(target) + "\n",
        StandardCharsets.UTF_8);
    return file;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String tail(String s, int n) {
    return s.length() <= n ? s : s.substring(s.length() - n);
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
  }

  /** {@code 128m}, {@code 1g} in MiB. */
  static final class MemorySizes {
    private MemorySizes() {}

    static double megabytes(String s) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      char unit = t.charAt(t.length() - 1);
      double v = Double.parseDouble(Character.isDigit(unit) ? t : t.substring(0, t.length() - 1));
      return switch (unit) {
        case 'g' -> v * 1024;
        case 'm' -> v;
        case 'k' -> v / 1024;
        default -> v / 1048576;
      };
    }
  }
}
