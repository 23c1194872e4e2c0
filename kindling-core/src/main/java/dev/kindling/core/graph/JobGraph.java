package dev.kindling.core.graph;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Several apps run as one unit: tasks, each depending on others, run in dependency order with at
 * most {@code maxParallel} at once. Read from the {@code graphs:} section of {@code kindling.yaml}
 * ({@link JobGraphs}) or built in Java:
 *
 * <pre>{@code
 * JobGraph g = JobGraph.of("nightly",
 *     GraphTask.of("ingest", Path.of("apps/ingest")),
 *     GraphTask.of("clean", Path.of("apps/clean")).dependsOn("ingest"),
 *     GraphTask.of("alert", Path.of("apps/alert")).dependsOn("clean").runIf(RunIf.AT_LEAST_ONE_FAILED));
 * }</pre>
 *
 * @param name 1 to 100 letters, digits, {@code _} or {@code -}
 * @param tasks the tasks, in the order they were declared (ties in dependency order keep it)
 * @param maxParallel at most this many tasks run at once (client-side runs); at least 1
 */
public record JobGraph(String name, List<GraphTask> tasks, int maxParallel) {
  /**
   * Task and graph names: what Databricks allows as a {@code task_key} and every platform as a job
   * name.
   */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  /** Tasks run at once when the graph does not say. */
  public static final int DEFAULT_MAX_PARALLEL = 4;

  public JobGraph {
    Objects.requireNonNull(name, "name");
    tasks = List.copyOf(Objects.requireNonNull(tasks, "tasks"));
  }

  public static JobGraph of(String name, GraphTask... tasks) {
    return new JobGraph(name, List.of(tasks), DEFAULT_MAX_PARALLEL);
  }

  /** This graph running at most {@code n} tasks at once. */
  public JobGraph withMaxParallel(int n) {
    return new JobGraph(name, tasks, n);
  }

  /** The task named {@code task}. */
  public GraphTask task(String task) {
    return tasks.stream()
        .filter(t -> t.name().equals(task))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no task " + task + " in graph " + name));
  }

  /**
   * Every problem of the graph's shape, at once: a bad graph or task name, duplicate task names,
   * dependencies on tasks that do not exist or on the task itself, cycles (each named, e.g. {@code
   * a -> b -> a}), no tasks, {@code max_parallel} below 1. Apps and configs are checked when the
   * graph is run or validated with a deployer ({@link GraphRunner#validate}).
   *
   * @param location prefixed to each problem, e.g. {@code kindling.yaml: graphs.nightly}
   */
  public List<Problem> problems(String location) {
    Problems p = new Problems();
    if (!NAME.matcher(name).matches()) {
      p.add(
          location,
          "graph name `" + name + "` is not allowed",
          "use 1 to 100 letters, digits, '_' or '-'");
    }
    if (maxParallel < 1) {
      p.add(
          location + ".max_parallel",
          "`max_parallel` must be at least 1, not " + maxParallel,
          "e.g. max_parallel: 4");
    }
    if (tasks.isEmpty()) {
      p.add(location + ".tasks", "the graph has no tasks", "add at least one task under tasks");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (GraphTask t : tasks) {
      String at = location + ".tasks." + t.name();
      if (!NAME.matcher(t.name()).matches()) {
        p.add(
            at,
            "task name `" + t.name() + "` is not allowed",
            "use 1 to 100 letters, digits, '_' or '-'");
      }
      if (seen.merge(t.name(), 1, Integer::sum) == 2) {
        p.add(at, "two tasks are named `" + t.name() + "`", "give each task its own name");
      }
    }
    Set<String> names = seen.keySet();
    for (GraphTask t : tasks) {
      String at = location + ".tasks." + t.name() + ".depends_on";
      Set<String> deps = new HashSet<>();
      for (String d : t.dependsOn()) {
        if (!deps.add(d)) {
          p.add(at, "`" + d + "` is listed twice", "list each dependency once");
        } else if (d.equals(t.name())) {
          p.add(
              at,
              "task `" + t.name() + "` depends on itself",
              "remove `" + d + "` from its depends_on");
        } else if (!names.contains(d)) {
          p.add(
              at,
              "`" + d + "` is not a task of graph " + name,
              dev.kindling.core.config.Suggestions.didYouMean(d, names)
                  .orElse("tasks are " + String.join(", ", names)));
        }
      }
    }
    for (List<String> cycle : cycles()) {
      p.add(
          location + ".tasks." + cycle.get(0) + ".depends_on",
          "the tasks form a cycle: " + String.join(" -> ", cycle),
          "remove one of these dependencies");
    }
    return p.asList();
  }

  /**
   * The tasks in an order where every task comes after its dependencies, ties in declaration order.
   *
   * @throws IllegalStateException if the graph has a cycle
   */
  public List<GraphTask> topologicalOrder() {
    Map<String, GraphTask> byName = new LinkedHashMap<>();
    tasks.forEach(t -> byName.putIfAbsent(t.name(), t));
    List<GraphTask> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    boolean progress = true;
    while (order.size() < byName.size() && progress) {
      progress = false;
      for (GraphTask t : byName.values()) {
        if (!done.contains(t.name())
            && t.dependsOn().stream().allMatch(d -> done.contains(d) || !byName.containsKey(d))) {
          order.add(t);
          done.add(t.name());
          progress = true;
          break; // restart so that ties keep declaration order
        }
      }
    }
    if (order.size() < byName.size()) {
      throw new IllegalStateException("graph " + name + " has a cycle: " + cycles());
    }
    return order;
  }

  /** Each cycle once, as task names from a task back to it (e.g. a, b, a). */
  private List<List<String>> cycles() {
    Map<String, GraphTask> byName = new LinkedHashMap<>();
    tasks.forEach(t -> byName.putIfAbsent(t.name(), t));
    List<List<String>> found = new ArrayList<>();
    Set<Set<String>> reported = new HashSet<>();
    Map<String, Integer> state = new HashMap<>(); // 1 on the path, 2 finished
    for (String start : byName.keySet()) {
      walk(start, byName, state, new ArrayList<>(), found, reported);
    }
    return found;
  }

  private static void walk(
      String node,
      Map<String, GraphTask> byName,
      Map<String, Integer> state,
      List<String> path,
      List<List<String>> found,
      Set<Set<String>> reported) {
    Integer s = state.get(node);
    if (s != null && s == 2) {
      return;
    }
    if (s != null && s == 1) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
      if (cycle.size() > 1 && reported.add(new LinkedHashSet<>(cycle))) {
        cycle.add(node);
        found.add(cycle);
      }
      return;
    }
    state.put(node, 1);
    path.add(node);
    for (String d : byName.get(node).dependsOn()) {
      if (byName.containsKey(d) && !d.equals(node)) {
        walk(d, byName, state, path, found, reported);
      }
    }
    path.remove(path.size() - 1);
    state.put(node, 2);
  }
}
