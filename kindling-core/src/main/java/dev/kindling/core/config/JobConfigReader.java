package dev.kindling.core.config;

import dev.kindling.core.error.Problems;
import dev.kindling.core.schedule.JobSchedule;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a {@link JobConfig} from a loosely typed map, collecting every problem. */
final class JobConfigReader {
  /** The smallest value of each whole-number key. */
  static final Map<String, Integer> MINIMUM = minimums();

  private static final Pattern MEMORY_LIKE =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)([kmgt])(?:i?b)?");
  private static final String MEMORY_FORM =
      "a whole number and one of k, m, g, t, e.g. 512m or 28g";

  private final String location;
  private final Problems problems;
  private final JobConfig.Builder builder = JobConfig.builder();

  private static Map<String, Integer> minimums() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("executor_cores", 1);
    m.put("driver_cores", 1);
    m.put("executors", 1);
    m.put("max_concurrent_runs", 1);
    m.put("timeout_seconds", 0);
    m.put("new_cluster.num_workers", 0);
    return Collections.unmodifiableMap(m);
  }

  private JobConfigReader(String location, Problems problems) {
    this.location = location;
    this.problems = problems;
  }

  static JobConfig read(Map<?, ?> map, String location, Problems problems) {
    JobConfigReader r = new JobConfigReader(location, problems);
    map.forEach((k, v) -> r.entry(String.valueOf(k), v));
    return r.builder.build();
  }

  private void entry(String key, Object v) {
    String at = Locations.at(location, key);
    if (!JobConfig.KEYS.contains(key)) {
      unknownKey(at, key, JobConfig.KEYS, "job config keys");
      return;
    }
    if (v == null) {
      problems.add(at, "`" + key + "` has no value", "give it a value or remove the key");
      return;
    }
    switch (key) {
      case "job_name" -> text(at, key, v).ifPresent(builder::jobName);
      case "entry_point" -> text(at, key, v).ifPresent(builder::entryPoint);
      case "main_class" -> text(at, key, v).ifPresent(builder::mainClass);
      case "executor_cores" -> whole(at, key, v).ifPresent(builder::executorCores);
      case "executor_memory" -> memory(at, key, v).ifPresent(builder::executorMemory);
      case "driver_cores" -> whole(at, key, v).ifPresent(builder::driverCores);
      case "driver_memory" -> memory(at, key, v).ifPresent(builder::driverMemory);
      case "executors" -> whole(at, key, v).ifPresent(builder::executors);
      case "spark_conf" -> textMap(at, key, v).ifPresent(builder::sparkConf);
      case "parameters" -> textMap(at, key, v).ifPresent(builder::parameters);
      case "tags" -> textMap(at, key, v).ifPresent(builder::tags);
      case "description" -> text(at, key, v).ifPresent(builder::description);
      case "lakehouse_id" -> text(at, key, v).ifPresent(builder::lakehouseId);
      case "artifacts_path" -> text(at, key, v).ifPresent(builder::artifactsPath);
      case "environment_id" -> text(at, key, v).ifPresent(builder::environmentId);
      case "cluster_id" -> text(at, key, v).ifPresent(builder::clusterId);
      case "new_cluster" -> newCluster(at, v).ifPresent(builder::newCluster);
      case "libraries" -> textList(at, key, v).ifPresent(builder::libraries);
      case "max_concurrent_runs" -> whole(at, key, v).ifPresent(builder::maxConcurrentRuns);
      case "timeout_seconds" -> whole(at, key, v).ifPresent(builder::timeoutSeconds);
      case "spark_pool_name" -> text(at, key, v).ifPresent(builder::sparkPoolName);
      case "schedule" -> schedule(at, v);
      case "retry" -> RunRetry.read(at, v, problems).ifPresent(builder::retry);
      default -> throw new IllegalStateException("key without a reader: " + key);
    }
  }

  private void schedule(String at, Object v) {
    if (v instanceof JobSchedule s) {
      builder.schedule(s);
    } else if (v instanceof Map<?, ?> map) {
      JobSchedule.fromMap(map, at, problems).ifPresent(builder::schedule);
    } else {
      problems.add(
          at,
          "`schedule` must be a mapping, not " + Values.kind(v),
          "write cron (or every), time_zone, start, end, enabled under schedule");
    }
  }

  private void unknownKey(String at, String key, Collection<String> known, String what) {
    problems.add(
        at,
        "unknown key `" + key + "`",
        Suggestions.didYouMean(key, known).orElse(what + " are " + String.join(", ", known)));
  }

  private Optional<String> text(String at, String key, Object v) {
    if (Values.isScalar(v)) {
      return Optional.of(Values.text(v));
    }
    problems.add(at, "`" + key + "` must be text, not " + Values.kind(v), "write a single value");
    return Optional.empty();
  }

  private Optional<Integer> whole(String at, String key, Object v) {
    OptionalLong n = Values.wholeNumber(v);
    if (n.isEmpty()) {
      problems.add(
          at,
          "`" + key + "` must be a whole number, not " + Values.show(v),
          "e.g. " + key + ": " + Math.max(1, MINIMUM.getOrDefault(key, 1)));
      return Optional.empty();
    }
    long value = n.getAsLong();
    Optional<String> range = rangeProblem(key, value);
    if (range.isPresent()) {
      problems.add(at, range.get(), "use a number from " + MINIMUM.get(key) + " up");
      return Optional.empty();
    }
    return Optional.of((int) value);
  }

  /** Why {@code value} is out of range for the whole-number {@code key}, if it is. */
  static Optional<String> rangeProblem(String key, long value) {
    int min = MINIMUM.getOrDefault(key, Integer.MIN_VALUE);
    if (value < min) {
      return Optional.of("`" + key + "` must be at least " + min + ", not " + value);
    }
    if (value > Integer.MAX_VALUE) {
      return Optional.of("`" + key + "` is too large: " + value);
    }
    return Optional.empty();
  }

  private Optional<MemorySize> memory(String at, String key, Object v) {
    if (v instanceof MemorySize m) {
      return Optional.of(m);
    }
    if (!Values.isScalar(v)) {
      problems.add(
          at, "`" + key + "` must be a memory size, not " + Values.kind(v), "use " + MEMORY_FORM);
      return Optional.empty();
    }
    String text = Values.text(v);
    Optional<MemorySize> parsed =
        v instanceof String ? MemorySize.tryParse(text) : Optional.empty();
    if (parsed.isEmpty()) {
      problems.add(
          at, "`" + key + "` is `" + text + "`, which is not a memory size", memoryFix(text));
    }
    return parsed;
  }

  /** How to write {@code text} as a memory size: {@code 28gb} → "use 28g", {@code 1.5g} → 1536m. */
  static String memoryFix(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    Matcher m = MEMORY_LIKE.matcher(t);
    if (m.matches()) {
      BigDecimal amount = new BigDecimal(m.group(1));
      String units = "tgmk";
      int unit = units.indexOf(m.group(2).charAt(0));
      while (amount.stripTrailingZeros().scale() > 0 && unit < units.length() - 1) {
        amount = amount.multiply(BigDecimal.valueOf(1024));
        unit++;
      }
      amount = amount.setScale(0, RoundingMode.HALF_UP);
      if (amount.signum() > 0 && amount.precision() <= 9) {
        return "use " + amount.toPlainString() + units.charAt(unit);
      }
      return "use a positive size, e.g. 512m or 28g";
    }
    if (t.matches("[0-9]{1,9}")) {
      return "add a unit: " + t + "g or " + t + "m";
    }
    return "use " + MEMORY_FORM;
  }

  private Optional<Map<String, String>> textMap(String at, String key, Object v) {
    if (!(v instanceof Map<?, ?> map)) {
      problems.add(
          at,
          "`" + key + "` must be a mapping of names to values, not " + Values.kind(v),
          "write one `name: value` per line under " + key);
      return Optional.empty();
    }
    Map<String, String> out = new LinkedHashMap<>();
    boolean ok = true;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      Object value = e.getValue();
      if (!Values.isScalar(value)) {
        ok = false;
        problems.add(
            at + "." + name,
            "`"
                + key
                + "."
                + name
                + "` must be a single value (text, number or true/false), not "
                + Values.kind(value),
            value == null ? "give it a value or remove it" : "write it as one text value");
        continue;
      }
      out.put(name, Values.text(value));
    }
    return ok ? Optional.of(out) : Optional.empty();
  }

  private Optional<List<String>> textList(String at, String key, Object v) {
    if (!(v instanceof Collection<?> items)) {
      problems.add(
          at,
          "`" + key + "` must be a list, not " + Values.kind(v),
          "write it as a list: `- item` lines or `[a, b]`");
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    boolean ok = true;
    int i = 0;
    for (Object item : items) {
      if (Values.isScalar(item)) {
        out.add(Values.text(item));
      } else {
        ok = false;
        problems.add(
            at + "[" + i + "]",
            "`" + key + "[" + i + "]` must be text, not " + Values.kind(item),
            "write each entry as one text value");
      }
      i++;
    }
    return ok ? Optional.of(out) : Optional.empty();
  }

  private Optional<NewCluster> newCluster(String at, Object v) {
    if (v instanceof NewCluster nc) {
      return Optional.of(nc);
    }
    if (!(v instanceof Map<?, ?> map)) {
      problems.add(
          at,
          "`new_cluster` must be a mapping with "
              + String.join(", ", JobConfig.NEW_CLUSTER_KEYS)
              + ", not "
              + Values.kind(v),
          "write spark_version, node_type_id and num_workers under new_cluster");
      return Optional.empty();
    }
    int before = problems.asList().size();
    for (Object k : map.keySet()) {
      String sub = String.valueOf(k);
      if (!JobConfig.NEW_CLUSTER_KEYS.contains(sub)) {
        unknownKey(at + "." + sub, sub, JobConfig.NEW_CLUSTER_KEYS, "new_cluster keys");
      }
    }
    String sparkVersion =
        required(at, map, "spark_version").flatMap(x -> subText(at, x)).orElse(null);
    String nodeType = required(at, map, "node_type_id").flatMap(x -> subText(at, x)).orElse(null);
    Integer workers =
        required(at, map, "num_workers")
            .flatMap(x -> whole(at + ".num_workers", "new_cluster.num_workers", x.getValue()))
            .orElse(null);
    if (problems.asList().size() > before) {
      return Optional.empty();
    }
    return Optional.of(new NewCluster(sparkVersion, nodeType, workers));
  }

  private Optional<Map.Entry<String, Object>> required(String at, Map<?, ?> map, String sub) {
    Object v = map.get(sub);
    if (v == null) {
      problems.add(
          at + "." + sub,
          "`new_cluster` is missing `" + sub + "`",
          "add " + sub + " under new_cluster");
      return Optional.empty();
    }
    return Optional.of(Map.entry(sub, v));
  }

  private Optional<String> subText(String at, Map.Entry<String, Object> e) {
    Optional<String> t = text(at + "." + e.getKey(), "new_cluster." + e.getKey(), e.getValue());
    if (t.isPresent() && t.get().isBlank()) {
      problems.add(
          at + "." + e.getKey(),
          "`new_cluster." + e.getKey() + "` is blank",
          "give " + e.getKey() + " a value");
      return Optional.empty();
    }
    return t;
  }
}
