package dev.kindling.core.graph;

import dev.kindling.core.error.KindlingException;
import dev.kindling.core.run.RunState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A started run of a {@link JobGraph}: per-task state ({@link #tasks()}), the graph's state when it
 * ends, waiting, cancelling every task. Made by {@link GraphRunner#start}.
 *
 * <p>A graph run ends {@link RunState#SUCCEEDED} when no task failed or timed out, {@link
 * RunState#FAILED} when one did (tasks on other branches still ran, and tasks downstream whose
 * run_if held, such as {@code AT_LEAST_ONE_FAILED} alerting), {@link RunState#CANCELLED} when
 * cancelled.
 */
public final class GraphRun {
  /** How the graph is run. */
  public enum Mode {
    /** Kindling runs task after task, each its own job (Fabric, Synapse, local). */
    CLIENT_SIDE,
    /** The platform runs the graph as one job (Databricks multi-task jobs). */
    NATIVE
  }

  interface Driver {
    boolean cancel();

    /** Fresh per-task state, for a native run. */
    default Optional<List<TaskRun>> refresh() {
      return Optional.empty();
    }
  }

  private final String graph;
  private final Mode mode;
  private final Map<String, TaskRun> tasks = new LinkedHashMap<>();
  private final CompletableFuture<GraphRun> done = new CompletableFuture<>();
  private final List<Consumer<TaskRun>> listeners = new CopyOnWriteArrayList<>();
  private volatile Driver driver;
  private volatile String runId;
  private volatile RunState end;

  GraphRun(String graph, Mode mode, List<String> taskNames) {
    this.graph = Objects.requireNonNull(graph);
    this.mode = Objects.requireNonNull(mode);
    taskNames.forEach(t -> tasks.put(t, TaskRun.pending(t)));
  }

  void driver(Driver d) {
    driver = d;
  }

  void runId(String id) {
    runId = id;
  }

  public String graph() {
    return graph;
  }

  public Mode mode() {
    return mode;
  }

  /** The platform's run id of the whole graph, for a {@link Mode#NATIVE} run. */
  public Optional<String> runId() {
    return Optional.ofNullable(runId);
  }

  /** Each task's state now, in dependency order. */
  public List<TaskRun> tasks() {
    Driver d = driver;
    if (d != null && !done.isDone()) {
      d.refresh().ifPresent(this::replace);
    }
    synchronized (this) {
      return List.copyOf(tasks.values());
    }
  }

  /** The task {@code name} now. */
  public TaskRun task(String name) {
    return tasks().stream()
        .filter(t -> t.task().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no task " + name + " in graph " + graph));
  }

  /** Calls {@code listener} with a task's new state each time one changes. */
  public GraphRun onTaskChange(Consumer<TaskRun> listener) {
    listeners.add(Objects.requireNonNull(listener));
    return this;
  }

  /** The graph's end state; empty while it runs. */
  public Optional<RunState> state() {
    return Optional.ofNullable(end);
  }

  /** True once every task has ended or been skipped. */
  public boolean isDone() {
    return done.isDone();
  }

  /** Completes with this run when the graph ends. */
  public CompletableFuture<GraphRun> future() {
    return done;
  }

  /**
   * Waits until the graph ends (the deadline was given to {@link GraphRunner#start}); its state.
   */
  public RunState await() {
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KindlingException(
          "interrupted while waiting for graph " + graph + "; its tasks go on", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KindlingException ke) {
        throw ke;
      }
      throw new KindlingException(
          "waiting for graph " + graph + " failed: " + e.getCause(), e.getCause());
    } catch (CancellationException e) {
      throw new KindlingException("the wait for graph " + graph + " was cancelled", e);
    }
    return end;
  }

  /** Cancels every running task and skips those not started; true if anything was cancelled. */
  public boolean cancel() {
    Driver d = driver;
    return d != null && d.cancel();
  }

  // ---- updates from the runner

  synchronized TaskRun get(String task) {
    return tasks.get(task);
  }

  void update(TaskRun t) {
    boolean changed;
    synchronized (this) {
      TaskRun old = tasks.put(t.task(), t);
      changed = old == null || old.state() != t.state() || !old.runId().equals(t.runId());
    }
    if (changed) {
      for (Consumer<TaskRun> l : listeners) {
        try {
          l.accept(t);
        } catch (RuntimeException e) {
          // a listener's failure is not the graph's
        }
      }
    }
  }

  void replace(List<TaskRun> fresh) {
    fresh.forEach(this::update);
  }

  synchronized List<TaskRun> snapshot() {
    return new ArrayList<>(tasks.values());
  }

  void finish(RunState state) {
    end = state;
    done.complete(this);
  }

  void fail(Throwable failure) {
    done.completeExceptionally(failure);
  }

  /** The end state the tasks add up to, for a client-side run. */
  static RunState outcome(List<TaskRun> tasks, boolean cancelled) {
    if (cancelled) {
      return RunState.CANCELLED;
    }
    boolean failed =
        tasks.stream()
            .anyMatch(t -> t.state() == RunState.FAILED || t.state() == RunState.TIMED_OUT);
    if (failed) {
      return RunState.FAILED;
    }
    boolean cancelledTask = tasks.stream().anyMatch(t -> t.state() == RunState.CANCELLED);
    return cancelledTask ? RunState.CANCELLED : RunState.SUCCEEDED;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GraphRun{").append(graph).append(' ').append(mode);
    state().ifPresent(s -> sb.append(' ').append(s));
    for (TaskRun t : snapshot()) {
      sb.append(", ").append(t.task()).append('=').append(t.state());
    }
    return sb.append('}').toString();
  }
}
