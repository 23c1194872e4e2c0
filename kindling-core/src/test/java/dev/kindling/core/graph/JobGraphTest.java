package dev.kindling.core.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.graph.RunIf.Outcome;
import dev.kindling.core.run.RunState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobGraphTest {
  private static final Path APP = Path.of("app");

  private static GraphTask t(String name, String... deps) {
    return GraphTask.of(name, APP).dependsOn(deps);
  }

  @Test
  void aDiamondIsOrderedWithTiesInDeclarationOrder() {
    JobGraph g = JobGraph.of("d", t("d", "b", "c"), t("c", "a"), t("b", "a"), t("a"));

    assertThat(g.problems("g")).isEmpty();
    assertThat(g.topologicalOrder())
        .extracting(GraphTask::name)
        .containsExactly("a", "c", "b", "d");
  }

  @Test
  void everyShapeProblemIsReportedAtOnceAndCyclesAreNamed() {
    JobGraph g =
        new JobGraph(
            "bad graph",
            List.of(
                t("a", "c"),
                t("b", "a"),
                t("c", "b"),
                t("a"),
                t("x", "nope", "x"),
                t("y", "z", "z"),
                t("z", "y")),
            0);

    List<Problem> problems = g.problems("graphs.bad");

    assertThat(problems)
        .extracting(Problem::toString)
        .anyMatch(p -> p.contains("graph name `bad graph` is not allowed"))
        .anyMatch(p -> p.contains("max_parallel") && p.contains("at least 1"))
        .anyMatch(p -> p.contains("two tasks are named `a`"))
        .anyMatch(p -> p.contains("`nope` is not a task"))
        .anyMatch(p -> p.contains("task `x` depends on itself"))
        .anyMatch(p -> p.contains("`z` is listed twice"))
        .anyMatch(p -> p.contains("cycle: a -> c -> b -> a"))
        .anyMatch(p -> p.contains("cycle: y -> z -> y"));
    assertThat(problems.stream().filter(p -> p.message().contains("cycle"))).hasSize(2);
    assertThatThrownBy(g::topologicalOrder).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void runIfFollowsDatabricksMeaning() {
    List<Outcome> okAndFailed = List.of(Outcome.SUCCEEDED, Outcome.FAILED);
    List<Outcome> allOk = List.of(Outcome.SUCCEEDED, Outcome.SUCCEEDED);
    List<Outcome> allFailed = List.of(Outcome.FAILED, Outcome.FAILED);
    List<Outcome> skippedOnly = List.of(Outcome.OTHER, Outcome.SUCCEEDED);

    assertThat(RunIf.ALL_SUCCESS.holds(allOk)).isTrue();
    assertThat(RunIf.ALL_SUCCESS.holds(okAndFailed)).isFalse();
    assertThat(RunIf.ALL_SUCCESS.holds(skippedOnly)).isFalse();
    assertThat(RunIf.AT_LEAST_ONE_SUCCESS.holds(okAndFailed)).isTrue();
    assertThat(RunIf.AT_LEAST_ONE_SUCCESS.holds(allFailed)).isFalse();
    assertThat(RunIf.NONE_FAILED.holds(skippedOnly)).isTrue();
    assertThat(RunIf.NONE_FAILED.holds(okAndFailed)).isFalse();
    assertThat(RunIf.ALL_DONE.holds(allFailed)).isTrue();
    assertThat(RunIf.AT_LEAST_ONE_FAILED.holds(okAndFailed)).isTrue();
    assertThat(RunIf.AT_LEAST_ONE_FAILED.holds(allOk)).isFalse();
    assertThat(RunIf.ALL_FAILED.holds(allFailed)).isTrue();
    assertThat(RunIf.ALL_FAILED.holds(okAndFailed)).isFalse();
  }

  @Test
  void aTaskSkippedBecauseUpstreamFailedCountsAsFailedDownstream() {
    TaskRun skipped = new TaskRun("b", RunState.SKIPPED, null, null, null, null, true);
    TaskRun excluded = new TaskRun("c", RunState.SKIPPED, null, null, null, null, false);

    assertThat(skipped.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(excluded.outcome()).isEqualTo(Outcome.OTHER);
  }

  @Test
  void graphsAreReadFromKindlingYamlWithAppsRelativeToTheFile() {
    String yaml =
        """
        targets:
          dev: {platform: local}
        graphs:
          nightly:
            max_parallel: 2
            tasks:
              ingest:
                app: apps/ingest
                executor_memory: 4g
                retry: {max_attempts: 3, backoff: {initial: 10s, max: 1m, multiplier: 3}, on: [FAILED, TIMED_OUT]}
              clean:
                app: apps/clean
                depends_on: [ingest]
                parameters: {day: today}
              alert:
                app: apps/alert
                depends_on: clean
                run_if: at_least_one_failed
        """;

    JobGraph g = JobGraphs.parse(yaml, "kindling.yaml", Path.of("/base"), "nightly");

    assertThat(g.maxParallel()).isEqualTo(2);
    assertThat(g.tasks()).extracting(GraphTask::name).containsExactly("ingest", "clean", "alert");
    assertThat(g.task("ingest").app()).isEqualTo(Path.of("/base/apps/ingest"));
    assertThat(g.task("ingest").config().executorMemory()).isPresent();
    var retry = g.task("ingest").config().retry().orElseThrow();
    assertThat(retry.maxAttempts()).isEqualTo(3);
    assertThat(retry.on()).containsExactlyInAnyOrder(RunState.FAILED, RunState.TIMED_OUT);
    assertThat(retry.backoffAfter(1)).hasSeconds(10);
    assertThat(retry.backoffAfter(2)).hasSeconds(30);
    assertThat(retry.backoffAfter(3)).hasSeconds(60);
    assertThat(g.task("clean").config().parameters()).isEqualTo(Map.of("day", "today"));
    assertThat(g.task("alert").dependsOn()).containsExactly("clean");
    assertThat(g.task("alert").runIf()).isEqualTo(RunIf.AT_LEAST_ONE_FAILED);
  }

  @Test
  void badYamlGraphsReportEveryProblemWithItsKey() {
    String yaml =
        """
        graphs:
          g:
            max_paralel: 2
            tasks:
              a:
                depends_on: [c]
                run_if: SOMETIMES
                executor_memroy: 4g
                retry: {max_attempts: 0, on: [CANCELLED]}
              b:
                app: b
                depends_on: [a]
              c:
                app: c
                depends_on: [b]
        """;

    assertThatThrownBy(() -> JobGraphs.parse(yaml, "kindling.yaml", Path.of("/base"), "g"))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Problem::toString)
                    .anyMatch(
                        p ->
                            p.startsWith("kindling.yaml: graphs.g.max_paralel")
                                && p.contains("max_parallel"))
                    .anyMatch(
                        p ->
                            p.startsWith("kindling.yaml: graphs.g.tasks.a.app")
                                && p.contains("required"))
                    .anyMatch(p -> p.contains("tasks.a.run_if") && p.contains("SOMETIMES"))
                    .anyMatch(
                        p -> p.contains("tasks.a.executor_memroy") && p.contains("executor_memory"))
                    .anyMatch(p -> p.contains("tasks.a.retry.max_attempts"))
                    .anyMatch(p -> p.contains("cycle: a -> c -> b -> a")));
  }

  @Test
  void anUnknownGraphNameSuggestsTheNearestOne() {
    String yaml = "graphs:\n  nightly:\n    tasks:\n      a: {app: a}\n";

    assertThatThrownBy(() -> JobGraphs.parse(yaml, "kindling.yaml", Path.of("/"), "nigthly"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("no graph named `nigthly`")
        .hasMessageContaining("nightly");
  }
}
