package dev.kindling.core.time;

/** A task handed to {@link Scheduler#schedule}; cancel it to keep it from running. */
public interface ScheduledTask {
  /**
   * Keeps the task from running if it has not started yet. Does not interrupt a running task.
   *
   * @return true if this call cancelled the task, false if it had already run, started or been
   *     cancelled
   */
  boolean cancel();

  /** True once the task has run, been cancelled, or failed. */
  boolean isDone();

  /** True if the task was cancelled before it ran. */
  boolean isCancelled();
}
