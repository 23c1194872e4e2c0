package dev.kindling.cli;

import dev.kindling.core.run.RunState;

/** The CLI's exit codes: a public contract, documented in {@code docs/cli.md}. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;

  /** The run ended FAILED (or TIMED_OUT or SKIPPED on the platform). */
  public static final int RUN_FAILED = 1;

  /** Usage, config or app validation error; nothing was touched. */
  public static final int USAGE = 2;

  /** The run ended CANCELLED. */
  public static final int RUN_CANCELLED = 3;

  /** {@code --wait} passed its {@code --timeout}; the run was left running. */
  public static final int WAIT_TIMED_OUT = 4;

  /** Platform, auth or network error. */
  public static final int PLATFORM_ERROR = 5;

  private ExitCodes() {}

  /** The exit code for a run that ended in {@code state}. */
  public static int of(RunState state) {
    return switch (state) {
      case SUCCEEDED -> OK;
      case CANCELLED -> RUN_CANCELLED;
      default -> RUN_FAILED;
    };
  }
}
