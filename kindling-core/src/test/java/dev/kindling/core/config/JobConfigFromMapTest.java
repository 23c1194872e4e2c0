package dev.kindling.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobConfigFromMapTest {

  static List<Problem> problemsOf(Map<String, ?> map) {
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> JobConfig.fromMap(map));
    assertThat(e).as("expected a ValidationException").isNotNull();
    return e.problems();
  }

  static Problem onlyProblem(Map<String, ?> map) {
    List<Problem> problems = problemsOf(map);
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  @Test
  void readsEveryKey() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("job_name", "my-app");
    map.put("entry_point", "main.py");
    map.put("main_class", "com.example.Main");
    map.put("executor_cores", 4);
    map.put("executor_memory", "28g");
    map.put("driver_cores", "8");
    map.put("driver_memory", "56G");
    map.put("executors", 2L);
    map.put("spark_conf", Map.of("spark.sql.shuffle.partitions", 8, "spark.x.enabled", true));
    map.put("parameters", Map.of("date", "2024-01-01"));
    map.put("tags", Map.of("team", "data"));
    map.put("description", "nightly");
    map.put("lakehouse_id", "lh");
    map.put("artifacts_path", "abfss://x");
    map.put("environment_id", "env");
    map.put("cluster_id", "0123-456789-abc");
    map.put(
        "new_cluster",
        Map.of(
            "spark_version",
            "15.4.x-scala2.12",
            "node_type_id",
            "Standard_DS3_v2",
            "num_workers",
            "0"));
    map.put("libraries", List.of("dbfs:/a.jar", "dbfs:/b.whl"));
    map.put("max_concurrent_runs", 1);
    map.put("timeout_seconds", 0);
    map.put("spark_pool_name", "pool1");
    map.put("schedule", Map.of("cron", "0 6 * * *", "time_zone", "Europe/London"));
    map.put("retry", Map.of("max_attempts", 2));

    JobConfig c = JobConfig.fromMap(map);

    assertThat(c.jobName()).contains("my-app");
    assertThat(c.executorCores()).contains(4);
    assertThat(c.executorMemory()).contains(MemorySize.parse("28g"));
    assertThat(c.driverCores()).contains(8);
    assertThat(c.driverMemory()).contains(MemorySize.parse("56g"));
    assertThat(c.executors()).contains(2);
    assertThat(c.sparkConf())
        .containsEntry("spark.sql.shuffle.partitions", "8")
        .containsEntry("spark.x.enabled", "true");
    assertThat(c.newCluster()).contains(new NewCluster("15.4.x-scala2.12", "Standard_DS3_v2", 0));
    assertThat(c.libraries()).containsExactly("dbfs:/a.jar", "dbfs:/b.whl");
    assertThat(c.timeoutSeconds()).contains(0);
    assertThat(c.toMap().keySet()).containsExactlyElementsOf(JobConfig.KEYS);
  }

  @Test
  void roundTripsThroughToMap() {
    JobConfig original =
        JobConfig.builder()
            .jobName("my-app")
            .entryPoint("main.py")
            .mainClass("com.example.Main")
            .executorCores(4)
            .executorMemory("28g")
            .driverCores(4)
            .driverMemory("512m")
            .executors(3)
            .sparkConf("spark.sql.shuffle.partitions", "8")
            .parameter("date", "2024-01-01")
            .tag("team", "data")
            .description("nightly")
            .lakehouseId("lh")
            .artifactsPath("Files/artifacts")
            .environmentId("env")
            .clusterId("c-1")
            .newCluster(new NewCluster("15.4.x-scala2.12", "Standard_DS3_v2", 2))
            .library("dbfs:/a.jar")
            .maxConcurrentRuns(1)
            .timeoutSeconds(3600)
            .sparkPoolName("pool1")
            .schedule(
                dev.kindling.core.schedule.JobSchedule.every(java.time.Duration.ofMinutes(30)))
            .retry(RunRetry.attempts(3, java.time.Duration.ofSeconds(90)))
            .build();

    JobConfig copy = JobConfig.fromMap(original.toMap());

    assertThat(copy).isEqualTo(original);
    assertThat(copy.toMap()).isEqualTo(original.toMap());
    assertThat(original.toMap().keySet()).containsExactlyElementsOf(JobConfig.KEYS);
  }

  @Test
  void emptyMapGivesEmptyConfig() {
    assertThat(JobConfig.fromMap(Map.of()).toMap()).isEmpty();
  }

  @Test
  void unknownKeyIsReportedWithSuggestion() {
    Problem p = onlyProblem(Map.of("executor_memroy", "28g"));
    assertThat(p.location()).isEqualTo("job config: executor_memroy");
    assertThat(p.message()).contains("`executor_memroy`");
    assertThat(p.fix()).isEqualTo("did you mean `executor_memory`?");
  }

  @ParameterizedTest
  @ValueSource(strings = {"executorMemory", "executor-memory", "EXECUTOR_MEMORY", "executor_mem"})
  void suggestionToleratesCaseSeparatorsAndPrefixes(String key) {
    assertThat(onlyProblem(Map.of(key, "28g")).fix()).isEqualTo("did you mean `executor_memory`?");
  }

  @Test
  void unknownKeyWithoutCloseMatchListsKnownKeys() {
    Problem p = onlyProblem(Map.of("colour", "blue"));
    assertThat(p.message()).contains("`colour`");
    assertThat(p.fix()).contains("job_name").contains("spark_pool_name");
  }

  @Test
  void locationPrefixIsAParameter() {
    ValidationException e =
        catchThrowableOfType(
            ValidationException.class,
            () ->
                JobConfig.fromMap(Map.of("executor_memory", "28gb"), "kindling.yaml: targets.dev"));
    assertThat(e.problems().get(0).location())
        .isEqualTo("kindling.yaml: targets.dev.executor_memory");
  }

  @ParameterizedTest
  @ValueSource(strings = {"4", " 4 ", "+4"})
  void wholeNumbersMayBeText(String text) {
    assertThat(JobConfig.fromMap(Map.of("executor_cores", text)).executorCores()).contains(4);
  }

  @Test
  void acceptsIntegralJavaNumbers() {
    assertThat(JobConfig.fromMap(Map.of("executors", BigInteger.TEN)).executors()).contains(10);
    assertThat(JobConfig.fromMap(Map.of("executors", (short) 3)).executors()).contains(3);
  }

  @Test
  void rejectsWordsForWholeNumbers() {
    Problem p = onlyProblem(Map.of("executor_cores", "four"));
    assertThat(p.location()).isEqualTo("job config: executor_cores");
    assertThat(p.message()).contains("`executor_cores`").contains("whole number").contains("four");
  }

  @Test
  void rejectsFractionsForWholeNumbers() {
    assertThat(onlyProblem(Map.of("driver_cores", 4.5)).message())
        .contains("`driver_cores`")
        .contains("whole number")
        .contains("4.5");
    assertThat(onlyProblem(Map.of("driver_cores", "4.5")).message()).contains("`driver_cores`");
  }

  @Test
  void rejectsListsAndBooleansForWholeNumbers() {
    assertThat(onlyProblem(Map.of("executors", List.of(1, 2))).message())
        .contains("`executors`")
        .contains("a list");
    assertThat(onlyProblem(Map.of("timeout_seconds", true)).message())
        .contains("`timeout_seconds`");
  }

  @Test
  void rejectsNumbersTooLargeForAnInt() {
    assertThat(onlyProblem(Map.of("timeout_seconds", 3_000_000_000L)).message())
        .contains("`timeout_seconds`")
        .contains("too large");
  }

  @ParameterizedTest
  @ValueSource(strings = {"executor_cores", "driver_cores", "executors", "max_concurrent_runs"})
  void rejectsZeroAndNegativeCounts(String key) {
    assertThat(onlyProblem(Map.of(key, 0)).message())
        .contains("`" + key + "`")
        .contains("at least 1");
    assertThat(onlyProblem(Map.of(key, "-2")).message()).contains("`" + key + "`").contains("-2");
  }

  @Test
  void rejectsNegativeTimeoutButAcceptsZero() {
    assertThat(JobConfig.fromMap(Map.of("timeout_seconds", 0)).timeoutSeconds()).contains(0);
    assertThat(onlyProblem(Map.of("timeout_seconds", -1)).message())
        .contains("`timeout_seconds`")
        .contains("at least 0");
  }

  @Test
  void rejectsMemoryWithByteSuffixAndSaysHowToWriteIt() {
    Problem p = onlyProblem(Map.of("executor_memory", "28gb"));
    assertThat(p.location()).isEqualTo("job config: executor_memory");
    assertThat(p.message()).contains("`executor_memory`").contains("28gb");
    assertThat(p.fix()).isEqualTo("use 28g");
  }

  @Test
  void rejectsFractionalMemoryAndConvertsToASmallerUnit() {
    Problem p = onlyProblem(Map.of("driver_memory", "1.5g"));
    assertThat(p.message()).contains("`driver_memory`");
    assertThat(p.fix()).isEqualTo("use 1536m");
  }

  @Test
  void rejectsMemoryWithoutUnit() {
    assertThat(onlyProblem(Map.of("executor_memory", 28)).fix())
        .isEqualTo("add a unit: 28g or 28m");
    assertThat(onlyProblem(Map.of("executor_memory", "lots")).fix()).contains("512m");
    assertThat(onlyProblem(Map.of("executor_memory", "0g")).fix()).contains("positive");
  }

  @Test
  void memoryFixes() {
    assertThat(JobConfigReader.memoryFix("28GB")).isEqualTo("use 28g");
    assertThat(JobConfigReader.memoryFix("512 MiB")).isEqualTo("use 512m");
    assertThat(JobConfigReader.memoryFix("0.5t")).isEqualTo("use 512g");
    assertThat(JobConfigReader.memoryFix("2.0g")).isEqualTo("use 2g");
  }

  @Test
  void rejectsMapValuesThatAreNotScalars() {
    Map<String, Object> conf = new LinkedHashMap<>();
    conf.put("spark.ok", "1");
    conf.put("spark.nested", Map.of("a", "b"));
    conf.put("spark.empty", null);
    List<Problem> problems = problemsOf(Map.of("spark_conf", conf));
    assertThat(problems)
        .extracting(Problem::location)
        .containsExactly(
            "job config: spark_conf.spark.nested", "job config: spark_conf.spark.empty");
    assertThat(problems.get(0).message()).contains("`spark_conf.spark.nested`").contains("mapping");
    assertThat(problems.get(1).message()).contains("`spark_conf.spark.empty`");
  }

  @Test
  void rejectsMapKeysGivenAsText() {
    assertThat(onlyProblem(Map.of("tags", "team=data")).message())
        .contains("`tags`")
        .contains("mapping");
  }

  @Test
  void rejectsLibrariesThatAreNotAListOfText() {
    assertThat(onlyProblem(Map.of("libraries", "dbfs:/a.jar")).message())
        .contains("`libraries`")
        .contains("list");
    Problem p = onlyProblem(Map.of("libraries", List.of("a.jar", Map.of("pypi", "x"))));
    assertThat(p.location()).isEqualTo("job config: libraries[1]");
    assertThat(p.message()).contains("`libraries[1]`");
  }

  @Test
  void rejectsTextKeysGivenAsStructures() {
    assertThat(onlyProblem(Map.of("job_name", List.of("a"))).message())
        .contains("`job_name`")
        .contains("must be text");
  }

  @Test
  void scalarsAreAcceptedAsText() {
    assertThat(JobConfig.fromMap(Map.of("cluster_id", 12345)).clusterId()).contains("12345");
  }

  @Test
  void rejectsNullValues() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("lakehouse_id", null);
    assertThat(onlyProblem(map).message()).contains("`lakehouse_id`").contains("no value");
  }

  @Test
  void rejectsNewClusterWithoutItsKeys() {
    List<Problem> problems = problemsOf(Map.of("new_cluster", Map.of("num_workers", 2)));
    assertThat(problems)
        .extracting(Problem::location)
        .containsExactly(
            "job config: new_cluster.spark_version", "job config: new_cluster.node_type_id");
    assertThat(problems).allSatisfy(p -> assertThat(p.message()).contains("`new_cluster`"));
    assertThat(problems.get(0).message()).contains("`spark_version`");
  }

  @Test
  void rejectsNewClusterWithUnknownOrBadSubkeys() {
    List<Problem> problems =
        problemsOf(
            Map.of(
                "new_cluster",
                Map.of(
                    "spark_version", "15.4",
                    "node_type", "Standard_DS3_v2",
                    "num_workers", -1)));
    assertThat(problems)
        .extracting(Problem::location)
        .containsExactlyInAnyOrder(
            "job config: new_cluster.node_type",
            "job config: new_cluster.node_type_id",
            "job config: new_cluster.num_workers");
    assertThat(problems)
        .filteredOn(p -> p.location().endsWith(".node_type"))
        .singleElement()
        .satisfies(p -> assertThat(p.fix()).isEqualTo("did you mean `node_type_id`?"));
    assertThat(onlyProblem(Map.of("new_cluster", "big")).message()).contains("`new_cluster`");
  }

  @Test
  void reportsEveryProblemInOneException() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("job_name", "my-app");
    map.put("executor_memroy", "28g");
    map.put("executor_cores", "four");
    map.put("driver_memory", "28gb");
    map.put("executors", 0);

    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> JobConfig.fromMap(map));

    assertThat(e.problems())
        .extracting(Problem::location)
        .containsExactly(
            "job config: executor_memroy",
            "job config: executor_cores",
            "job config: driver_memory",
            "job config: executors");
    assertThat(e.getMessage())
        .startsWith("4 problems:")
        .contains("executor_memroy", "executor_cores", "driver_memory", "executors");
  }

  @Test
  void collectingVariantLeavesBadKeysUnset() {
    Problems problems = new Problems();
    JobConfig c =
        JobConfig.fromMap(Map.of("job_name", "a", "executors", "x"), "job config", problems);
    assertThat(problems.asList()).hasSize(1);
    assertThat(c.jobName()).contains("a");
    assertThat(c.executors()).isEmpty();
  }

  @Test
  void acceptsTypedValuesFromJava() {
    JobConfig c =
        JobConfig.fromMap(
            Map.of(
                "executor_memory",
                MemorySize.parse("4g"),
                "new_cluster",
                new NewCluster("15.4", "node", 1)));
    assertThat(c.executorMemory()).contains(MemorySize.parse("4g"));
    assertThat(c.newCluster()).contains(new NewCluster("15.4", "node", 1));
  }
}
