package dev.kindling.testkit.databricks;

import dev.kindling.testkit.emulator.EmulatorServer.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Databricks error answers: {@code {"error_code": "...", "message": "..."}}. */
final class ApiErrors {
  private ApiErrors() {}

  static Response error(int status, String code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error_code", code);
    body.put("message", message);
    return Response.json(status, body);
  }

  static Response invalid(String message) {
    return error(400, "INVALID_PARAMETER_VALUE", message);
  }

  static Response missingJob(long id) {
    return invalid("Job " + id + " does not exist.");
  }

  static Response missingRun(long id) {
    return invalid("Run " + id + " does not exist.");
  }

  /** Thrown by handlers to answer with an error. */
  static final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Response response;

    ApiException(Response response) {
      super("api error", null, false, false);
      this.response = response;
    }

    ApiException(int status, String code, String message) {
      this(error(status, code, message));
    }

    Response response() {
      return response;
    }
  }
}
