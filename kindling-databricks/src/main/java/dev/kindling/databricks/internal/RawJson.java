package dev.kindling.databricks.internal;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A response body kept as JSON, field by field. The Databricks SDK fills response objects it
 * creates itself (public no-argument constructor, Jackson updating), so a plain {@link JsonNode}
 * cannot be asked for; this class can. Not an API: public only for the SDK's reflection.
 */
public final class RawJson {
  private final ObjectNode node = JsonNodeFactory.instance.objectNode();

  public RawJson() {}

  @JsonAnySetter
  public void set(String field, JsonNode value) {
    node.set(field, value);
  }

  /** The body. */
  public ObjectNode node() {
    return node;
  }
}
