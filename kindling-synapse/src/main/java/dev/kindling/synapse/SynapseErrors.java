package dev.kindling.synapse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.http.ErrorBodyParser;
import dev.kindling.core.http.PlatformError;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import okhttp3.Headers;

/**
 * Reads Synapse error bodies: the artifacts API's {@code CloudError} {@code {"error": {"code",
 * "message"}}} (property names in any case, as storage spells them {@code Code}/{@code Message}),
 * Apache Livy's {@code {"msg": "..."}}, and the {@code x-ms-error-code} header. Anything else is
 * left to {@link dev.kindling.core.http.HttpErrors}' fallback (the body text).
 */
final class SynapseErrors implements ErrorBodyParser {
  static final SynapseErrors INSTANCE = new SynapseErrors();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public PlatformError parse(int status, Headers headers, String body) {
    String headerCode = headers.get("x-ms-error-code");
    String requestId = headers.get("x-ms-request-id");
    JsonNode root = null;
    if (body != null && !body.isBlank()) {
      try {
        root = JSON.readTree(body);
      } catch (IOException notJson) {
        root = null;
      }
    }
    if (root == null || !root.isObject()) {
      return PlatformError.of(headerCode, null, requestId);
    }
    JsonNode error = field(root, "error");
    if (error != null && error.isObject()) {
      return PlatformError.of(
          text(field(error, "code")).orElse(headerCode),
          text(field(error, "message")).orElse(null),
          requestId);
    }
    if (error != null && error.isTextual()) {
      return PlatformError.of(headerCode, error.asText(), requestId);
    }
    JsonNode msg = field(root, "msg");
    if (msg == null) {
      msg = field(root, "message");
    }
    return PlatformError.of(
        text(field(root, "code")).orElse(headerCode), text(msg).orElse(null), requestId);
  }

  private static JsonNode field(JsonNode node, String name) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (e.getKey().toLowerCase(Locale.ROOT).equals(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static java.util.Optional<String> text(JsonNode n) {
    return n == null || n.isNull() || n.isContainerNode()
        ? java.util.Optional.empty()
        : java.util.Optional.of(n.asText());
  }
}
