package dev.kindling.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.http.ErrorBodyParser;
import dev.kindling.core.http.PlatformError;
import okhttp3.Headers;

/**
 * Reads ADLS Gen2 / OneLake DFS error responses: the code from the {@code x-ms-error-code} header,
 * else from {@code {"error": {"code", "message"}}} (either case, the 2020-10-02 spec says {@code
 * Code}/{@code Message}); the message without its trailing {@code RequestId:…/Time:…} lines.
 */
public final class DfsErrors implements ErrorBodyParser {
  /** The one instance. */
  public static final DfsErrors INSTANCE = new DfsErrors();

  private static final ObjectMapper JSON = new ObjectMapper();

  private DfsErrors() {}

  @Override
  public PlatformError parse(int status, Headers headers, String body) {
    String code = headers.get("x-ms-error-code");
    String message = null;
    if (body != null && !body.isBlank()) {
      try {
        JsonNode root = JSON.readTree(body);
        JsonNode error = field(root, "error");
        if (error != null) {
          JsonNode c = field(error, "code");
          JsonNode m = field(error, "message");
          if (code == null && c != null) {
            code = c.asText(null);
          }
          if (m != null) {
            message = firstLine(m.asText(""));
          }
        }
      } catch (java.io.IOException | RuntimeException notJson) {
        // fall back to the header and the body text
      }
    }
    return PlatformError.of(code, message, headers.get("x-ms-request-id"));
  }

  private static JsonNode field(JsonNode node, String name) {
    if (node == null || !node.isObject()) {
      return null;
    }
    for (var it = node.properties().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
