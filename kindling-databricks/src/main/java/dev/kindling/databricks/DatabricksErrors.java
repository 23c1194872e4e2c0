package dev.kindling.databricks;

import com.databricks.sdk.core.DatabricksError;
import com.databricks.sdk.core.DatabricksException;
import com.databricks.sdk.core.error.platform.NotFound;
import com.databricks.sdk.core.error.platform.ResourceDoesNotExist;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.error.ConflictException;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.error.TransientException;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The one place where Databricks SDK errors become Kindling exceptions. Databricks answers {@code
 * 400 INVALID_PARAMETER_VALUE} for a job or run that does not exist (platform-apis.md §3.2); the
 * SDK remaps some of those, and this class recognises the rest by their message.
 */
final class DatabricksErrors {
  private static final Pattern MISSING =
      Pattern.compile(
          "(?i).*\\b(job|run)\\b.*(does not exist|doesn't exist|not found).*", Pattern.DOTALL);

  private DatabricksErrors() {}

  /** Runs {@code call}, translating SDK exceptions; {@code operation} names it in messages. */
  static <T> T call(String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (DatabricksError e) {
      throw translate(operation, e);
    } catch (IllegalArgumentException e) {
      if (!String.valueOf(e.getMessage()).contains("timeout value is negative")) {
        throw e;
      }
      // the SDK sleeps for a Retry-After date that has already passed and trips over it
      throw new ThrottledException(
          DatabricksPlatformService.ID
              + ": "
              + operation
              + " was throttled (HTTP 429) and the SDK could not wait for its Retry-After date",
          e,
          DatabricksPlatformService.ID,
          429,
          null,
          null,
          null);
    } catch (DatabricksException e) {
      throw new TransientException(
          DatabricksPlatformService.ID
              + ": "
              + operation
              + " failed: "
              + e.getMessage()
              + ". Check the network path to the workspace and try again.",
          e,
          DatabricksPlatformService.ID,
          null,
          null,
          null);
    }
  }

  /** Attempts of an idempotent call in {@link #retrying}. */
  static final int ATTEMPTS = 5;

  /** The first wait of {@link #retrying}, doubled for each further one. */
  static final java.time.Duration FIRST_WAIT = java.time.Duration.ofMillis(500);

  /**
   * As {@link #call(String, Supplier)} for a call that may be sent again without changing the
   * outcome (a read, a reset to the same settings, a cancel, a run-now with an idempotency token):
   * the SDK retries only some statuses and no dropped connections, so a 429, a 5xx or an I/O
   * failure is retried here too, {@value #ATTEMPTS} attempts in all with waits from 0.5 s doubling
   * (at most about 8 s of waiting).
   */
  static <T> T retrying(String operation, Supplier<T> call) {
    java.time.Duration wait = FIRST_WAIT;
    for (int attempt = 1; ; attempt++) {
      try {
        return call(operation, call);
      } catch (TransientException | ThrottledException e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
        org.slf4j.LoggerFactory.getLogger(DatabricksErrors.class)
            .debug("{} (attempt {}): {}; again in {}", operation, attempt, e.getMessage(), wait);
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        wait = wait.multipliedBy(2);
      }
    }
  }

  /**
   * As {@link #call(String, Supplier)} for a call that must not be sent twice (a create): only a
   * throttled answer, which the service gives before doing anything, is retried.
   */
  static <T> T retryingWhenThrottled(String operation, Supplier<T> call) {
    java.time.Duration wait = FIRST_WAIT;
    for (int attempt = 1; ; attempt++) {
      try {
        return call(operation, call);
      } catch (ThrottledException e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(e.retryAfter().orElse(wait).toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        wait = wait.multipliedBy(2);
      }
    }
  }

  /** As {@link #retrying(String, Supplier)} for calls without a result. */
  static void retryingRun(String operation, Runnable call) {
    retrying(
        operation,
        () -> {
          call.run();
          return null;
        });
  }

  /** As {@link #call(String, Supplier)} for calls without a result. */
  static void run(String operation, Runnable call) {
    call(
        operation,
        () -> {
          call.run();
          return null;
        });
  }

  /** True when {@code e} says that the thing asked for does not exist. */
  static boolean isNotFound(DatabricksError e) {
    if (e instanceof NotFound || e instanceof ResourceDoesNotExist || e.getStatusCode() == 404) {
      return true;
    }
    String code = e.getErrorCode() == null ? "" : e.getErrorCode().toUpperCase(Locale.ROOT);
    return e.getStatusCode() == 400
        && code.equals("INVALID_PARAMETER_VALUE")
        && e.getMessage() != null
        && MISSING.matcher(e.getMessage()).matches();
  }

  static KindlingException translate(String operation, DatabricksError e) {
    int status = e.getStatusCode();
    String code = e.getErrorCode();
    String message =
        DatabricksPlatformService.ID
            + ": "
            + operation
            + " failed with HTTP "
            + status
            + (code == null || code.isEmpty() ? "" : " (" + code + ")")
            + ": "
            + trimPeriod(e.getMessage())
            + ". "
            + hint(status, isNotFound(e));
    String p = DatabricksPlatformService.ID;
    if (isNotFound(e)) {
      return new NotFoundException(message, e, p, status, code, null);
    }
    if (status == 401 || status == 403) {
      return new AuthException(message, e, p, status, code, null);
    }
    if (status == 409) {
      return new ConflictException(message, e, p, status, code, null);
    }
    if (status == 429) {
      return new ThrottledException(message, e, p, status, code, null, null);
    }
    if (status >= 500 || status == 0) {
      return new TransientException(message, e, p, status, code, null);
    }
    return new KindlingException(message, e, p, status, code, null);
  }

  private static String trimPeriod(String m) {
    String s = m == null ? "" : m.strip();
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String hint(int status, boolean notFound) {
    if (notFound) {
      return "Check the id; `kindling jobs` lists the jobs Kindling deployed.";
    }
    return switch (status) {
      case 401 -> "The credentials were refused: check the target's auth settings.";
      case 403 ->
          "The identity lacks a permission (see docs/platforms/databricks.md, Permissions).";
      case 409 -> "Someone else changed it at the same time: try again.";
      case 429 -> "The workspace is throttling requests: wait a little and try again.";
      default ->
          status >= 500
              ? "The workspace had a problem: try again in a moment."
              : "Check the request values named in the message.";
    };
  }
}
