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
