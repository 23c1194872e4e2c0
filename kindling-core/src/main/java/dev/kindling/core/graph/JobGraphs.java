package dev.kindling.core.graph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.KindlingConfig;
import dev.kindling.core.config.Suggestions;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads job graphs from the {@code graphs:} section of {@code kindling.yaml}:
 *
 * <pre>{@code
 * graphs:
 *   nightly:
 *     max_parallel: 2
 *     tasks:
 *       ingest:
 *         app: apps/ingest          # relative to the kindling.yaml
 *         executor_memory: 4g       # any job config key: the task's job config
 *         retry: {max_attempts: 3, backoff: {initial: 1m}}
 *       clean:
 *         app: apps/clean
 *         depends_on: [ingest]
 *         parameters: {day: today}  # the task's run parameters
 *       alert:
 *         app: apps/alert
 *         depends_on: [clean]
 *         run_if: AT_LEAST_ONE_FAILED
 * }</pre>
 *
 * <p>{@code tasks} may also be a list of mappings with a {@code name}. A graph whose keys or values
 * are wrong is rejected with every such problem and its shape's (cycles, unknown dependencies,
 * duplicate names); a well-formed graph's shape is checked by {@link GraphRunner} together with
 * every task's app and config, before anything is deployed.
 */
public final class JobGraphs {
  /** The keys of a graph. */
  public static final List<String> GRAPH_KEYS = List.of("max_parallel", "tasks");

  /** The keys of a task besides the job config keys. */
  public static final List<String> TASK_KEYS = List.of("name", "app", "depends_on", "run_if");

  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

  private JobGraphs() {}

  /** The graph {@code name} of the file {@code kindlingYaml}; apps resolve against its folder. */
  public static JobGraph load(Path kindlingYaml, String name) {
    Objects.requireNonNull(kindlingYaml, "kindlingYaml");
    String text;
    try {
      text = Files.readString(kindlingYaml, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ValidationException(
          Problem.of(
              kindlingYaml.toString(),
              "file not found",
              "create it with a `graphs:` section or pass -c FILE"));
    } catch (IOException e) {
      throw new KindlingException("cannot read " + kindlingYaml + ": " + e.getMessage(), e);
    }
    Path base = kindlingYaml.toAbsolutePath().getParent();
    return parse(text, kindlingYaml.toString(), base, name);
  }

  /** The names of the graphs of {@code kindlingYaml}; empty when it has none or does not exist. */
  public static Set<String> names(Path kindlingYaml) {
    try {
      Object top =
          YAML.readValue(Files.readString(kindlingYaml, StandardCharsets.UTF_8), Object.class);
      if (top instanceof Map<?, ?> m && m.get(KindlingConfig.GRAPHS_KEY) instanceof Map<?, ?> g) {
        Set<String> out = new TreeSet<>();
        g.keySet().forEach(k -> out.add(String.valueOf(k)));
        return out;
      }
    } catch (IOException e) {
      // no graphs
    }
    return Set.of();
  }

  /** Parses the graph {@code name} of a {@code kindling.yaml} text. */
  public static JobGraph parse(String yamlText, String sourceName, Path base, String name) {
    Object top;
    try {
      top = YAML.readValue(yamlText, Object.class);
    } catch (JsonProcessingException e) {
      throw new ValidationException(
          Problem.of(
              sourceName, "not valid YAML: " + e.getOriginalMessage(), "fix the YAML syntax"));
    }
    Object graphs = top instanceof Map<?, ?> m ? m.get(KindlingConfig.GRAPHS_KEY) : null;
    String at = sourceName + ": " + KindlingConfig.GRAPHS_KEY;
    if (!(graphs instanceof Map<?, ?> all)) {
      throw new ValidationException(
          Problem.of(
              at, "the file has no `graphs:` mapping", "add `graphs:` with a graph named " + name));
    }
    Object graph = all.get(name);
    if (graph == null) {
      Set<String> known = new TreeSet<>();
      all.keySet().forEach(k -> known.add(String.valueOf(k)));
      throw new ValidationException(
          Problem.of(
              at + "." + name,
              "no graph named `" + name + "`",
              Suggestions.didYouMean(name, known)
                  .orElse("graphs are " + String.join(", ", known))));
    }
    return fromMap(name, graph, at + "." + name, base);
  }

  /**
   * A graph from YAML-like values; throws one {@link ValidationException} with every problem.
   *
   * @param base the folder relative app paths resolve against
   */
  public static JobGraph fromMap(String name, Object graph, String location, Path base) {
    Problems problems = new Problems();
    if (!(graph instanceof Map<?, ?> g)) {
      throw new ValidationException(
          Problem.of(
              location,
              "a graph must be a mapping with `tasks`, not " + kind(graph),
              "write `tasks:` under the graph's name"));
    }
    for (Object k : g.keySet()) {
      String key = String.valueOf(k);
      if (!GRAPH_KEYS.contains(key)) {
        problems.add(
            location + "." + key,
            "unknown key `" + key + "`",
            Suggestions.didYouMean(key, GRAPH_KEYS)
                .orElse("graph keys are " + String.join(", ", GRAPH_KEYS)));
      }
    }
    int maxParallel = JobGraph.DEFAULT_MAX_PARALLEL;
    Object mp = g.get("max_parallel");
    if (mp != null) {
      try {
        maxParallel = Integer.parseInt(String.valueOf(mp).trim());
      } catch (NumberFormatException e) {
        problems.add(
            location + ".max_parallel",
            "`max_parallel` must be a whole number, not " + kind(mp),
            "e.g. max_parallel: 4");
      }
    }
    List<Map.Entry<String, Object>> entries = new ArrayList<>();
    Object raw = g.get("tasks");
    if (raw instanceof Map<?, ?> map) {
      map.forEach((k, v) -> entries.add(Map.entry(String.valueOf(k), v == null ? Map.of() : v)));
    } else if (raw instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        Object n = item instanceof Map<?, ?> m ? m.get("name") : null;
        if (n == null) {
          problems.add(
              location + ".tasks[" + i + "]", "a task in a list needs a `name`", "add name: TASK");
        } else {
          entries.add(Map.entry(String.valueOf(n), item));
        }
        i++;
      }
    } else if (raw != null) {
      problems.add(
          location + ".tasks",
          "`tasks` must be a mapping of task names to tasks, not " + kind(raw),
          "write each task as `name:` with its keys below");
    }
    List<GraphTask> tasks = new ArrayList<>();
    for (Map.Entry<String, Object> e : entries) {
      task(e.getKey(), e.getValue(), location + ".tasks." + e.getKey(), base, problems)
          .ifPresent(tasks::add);
    }
    JobGraph result = new JobGraph(name, tasks, maxParallel);
    if (!problems.isEmpty()) {
      // with the graph's shape; otherwise the shape is checked with the apps, before a run
      problems.addAll(result.problems(location));
    }
    problems.throwIfAny();
    return result;
  }

  private static java.util.Optional<GraphTask> task(
      String name, Object raw, String at, Path base, Problems problems) {
    if (!(raw instanceof Map<?, ?> m)) {
      problems.add(
          at,
          "a task must be a mapping with `app`, not " + kind(raw),
          "write app: PATH under the task");
      return java.util.Optional.empty();
    }
    Map<String, Object> job = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (TASK_KEYS.contains(key)) {
        continue;
      }
      if (JobConfig.KEYS.contains(key)) {
        job.put(key, e.getValue());
      } else {
        List<String> known = new ArrayList<>(TASK_KEYS);
        known.addAll(JobConfig.KEYS);
        problems.add(
            at + "." + key,
            "unknown key `" + key + "`",
            Suggestions.didYouMean(key, known)
                .orElse("a task has app, depends_on, run_if and job config keys"));
      }
    }
    Object app = m.get("app");
    Path appPath = null;
    if (app == null || String.valueOf(app).isBlank()) {
      problems.add(
          at + ".app",
          "`app` is required",
          "set app to the app's folder or .kda, relative to kindling.yaml");
    } else {
      appPath = base.resolve(String.valueOf(app)).normalize();
    }
    List<String> deps = new ArrayList<>();
    Object d = m.get("depends_on");
    if (d instanceof Collection<?> c) {
      c.forEach(x -> deps.add(String.valueOf(x)));
    } else if (d != null && !(d instanceof Map)) {
      deps.add(String.valueOf(d));
    } else if (d != null) {
      problems.add(
          at + ".depends_on",
          "`depends_on` must be a list of task names",
          "e.g. depends_on: [ingest]");
    }
    RunIf runIf = RunIf.ALL_SUCCESS;
    Object r = m.get("run_if");
    if (r != null) {
      try {
        runIf = RunIf.valueOf(String.valueOf(r).trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        List<String> values = java.util.Arrays.stream(RunIf.values()).map(Enum::name).toList();
        problems.add(
            at + ".run_if",
            "`" + r + "` is not a run_if condition",
            Suggestions.didYouMean(String.valueOf(r).toUpperCase(Locale.ROOT), values)
                .orElse("use one of " + String.join(", ", values)));
      }
    }
    JobConfig config = JobConfig.fromMap(job, at, problems);
    // kept with its problems so that the graph's shape is checked with every task
    return java.util.Optional.of(
        new GraphTask(name, appPath == null ? base : appPath, config, deps, runIf));
  }

  private static String kind(Object v) {
    if (v == null) {
      return "no value";
    }
    if (v instanceof Map) {
      return "a mapping";
    }
    if (v instanceof Collection) {
      return "a list";
    }
    return "`" + v + "`";
  }
}
