package dev.kindling.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.http.ErrorBodyParser;
import dev.kindling.core.http.PlatformError;
import okhttp3.Headers;

/**
 * Reads Fabric's {@code ErrorResponse} ({@code errorCode}, {@code message}, {@code requestId},
 * {@code isRetriable}), falling back to the {@code x-ms-public-api-error-code} and {@code
 * RequestId} headers.
 */
final class FabricErrors implements ErrorBodyParser {
  static final FabricErrors INSTANCE = new FabricErrors();
  private static final ObjectMapper JSON = new ObjectMapper();

  private FabricErrors() {}

  @Override
  public PlatformError parse(int status, Headers headers, String body) {
    String code = null;
    String message = null;
    String requestId = null;
    if (body != null && !body.isBlank()) {
      try {
        JsonNode n = JSON.readTree(body);
        code = n.path("errorCode").asText(null);
        message = n.path("message").asText(null);
        requestId = n.path("requestId").asText(null);
        JsonNode more = n.path("moreDetails");
        if (message != null && more.isArray() && !more.isEmpty()) {
          message +=
              " ("
                  + more.get(0).path("errorCode").asText("")
                  + ": "
                  + more.get(0).path("message").asText("")
                  + ")";
        }
      } catch (java.io.IOException | RuntimeException notJson) {
        // fall back to headers
      }
    }
    if (code == null) {
      code = headers.get("x-ms-public-api-error-code");
    }
    if (requestId == null) {
      requestId = headers.get("RequestId");
    }
    return PlatformError.of(code, message, requestId);
  }
}
