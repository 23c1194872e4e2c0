package dev.kindling.core.run;

/**
 * The normalized state of a run, the same on every platform. Platform values are mapped by each
 * platform module ({@code platform-apis.md} section 1); a value no table knows maps to {@link
 * #UNKNOWN}, never to an exception.
 */
public enum RunState {
  /** Accepted, nothing user-visible running yet. */
  PENDING(false),
  /** Waiting for capacity (a queue, a pool, a concurrency limit). */
  QUEUED(false),
  RUNNING(false),
  SUCCEEDED(true),
  FAILED(true),
  CANCELLED(true),
  TIMED_OUT(true),
  /** Never executed (deduplicated, upstream failed, concurrency limit). */
  SKIPPED(true),
  /** A platform value no mapping knows. Not terminal: a wait keeps polling. */
  UNKNOWN(false);

  private final boolean terminal;

  RunState(boolean terminal) {
    this.terminal = terminal;
  }

  /** True for states a run never leaves. */
  public boolean isTerminal() {
    return terminal;
  }

  /** True only for {@link #SUCCEEDED}. */
  public boolean isSuccess() {
    return this == SUCCEEDED;
  }
}
