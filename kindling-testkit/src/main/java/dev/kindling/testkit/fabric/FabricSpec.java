package dev.kindling.testkit.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Fabric REST API specification (the swagger files copied unmodified into this jar from {@code
 * shared/specs/fabric}), used to check every request the emulator receives: the path must be an
 * operation of the spec, path parameters declared {@code uuid} must be GUIDs, required query
 * parameters present, and a JSON body must satisfy the operation's schema (required properties,
 * types, GUID formats, no properties the schema does not declare). A mismatch is answered 400
 * naming the operation and the offending field, so a client bug fails the test that caused it.
 */
final class FabricSpec {
  private static final String BASE = "/dev/kindling/testkit/fabric/spec/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UUID_FORM =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
  private static final List<String> FILES =
      List.of("sparkjobdefinition/swagger.json", "platform/swagger.json");

  private record Operation(
      String file, String method, String template, Pattern regex, List<String> names, JsonNode op) {
    int literalLength() {
      return PARAM.matcher(template).replaceAll("").length();
    }
  }

  private final Map<String, Optional<JsonNode>> docs = new HashMap<>();
  private final List<Operation> operations = new ArrayList<>();

  private FabricSpec() {
    for (String file : FILES) {
      JsonNode doc = doc(file).orElseThrow();
      String basePath = doc.path("basePath").asText("");
      doc.path("paths")
          .properties()
          .forEach(
              e -> {
                String template = basePath + e.getKey().replaceFirst("\\?.*$", "");
                List<String> names = new ArrayList<>();
                Matcher m = PARAM.matcher(template);
                StringBuilder re = new StringBuilder();
                int last = 0;
                while (m.find()) {
                  re.append(Pattern.quote(template.substring(last, m.start())));
                  re.append("([^/]+)");
                  names.add(m.group(1));
                  last = m.end();
                }
                re.append(Pattern.quote(template.substring(last)));
                Pattern regex = Pattern.compile(re.toString());
                e.getValue()
                    .properties()
                    .forEach(
                        op ->
                            operations.add(
                                new Operation(
                                    file,
                                    op.getKey().toUpperCase(java.util.Locale.ROOT),
                                    template,
                                    regex,
                                    names,
                                    op.getValue())));
              });
    }
  }

  private static final class Holder {
    static final FabricSpec SPEC = new FabricSpec();
  }

  /** The spec, loaded once. */
  static FabricSpec get() {
    return Holder.SPEC;
  }

  /**
   * What is wrong with the request, if anything.
   *
   * @param path the decoded path, starting with {@code /v1}
   * @param body the parsed JSON body, or null when there is none
   */
  Optional<String> check(
      String method, String path, Map<String, List<String>> query, JsonNode body) {
    Operation best = null;
    Matcher bestMatch = null;
    for (Operation op : operations) {
      if (!op.method().equals(method)) {
        continue;
      }
      Matcher m = op.regex().matcher(path);
      if (m.matches() && (best == null || op.literalLength() > best.literalLength())) {
        best = op;
        bestMatch = m;
      }
    }
    if (best == null) {
      return Optional.of(
          "the Fabric REST spec has no operation " + method + " " + path + " (check the path)");
    }
    String opName = best.op().path("operationId").asText(best.template());
    List<String> problems = new ArrayList<>();
    for (JsonNode p : best.op().path("parameters")) {
      JsonNode param = resolve(best.file(), p).node();
      String name = param.path("name").asText();
      switch (param.path("in").asText()) {
        case "path" -> {
          int i = best.names().indexOf(name);
          String value = i < 0 ? null : bestMatch.group(i + 1);
          if ("uuid".equals(param.path("format").asText())
              && value != null
              && !UUID_FORM.matcher(value).matches()) {
            problems.add("path parameter " + name + " '" + value + "' is not a GUID");
          }
        }
        case "query" -> {
          if (param.path("required").asBoolean(false) && !query.containsKey(name)) {
            problems.add("query parameter " + name + " is required");
          }
        }
        case "body" -> {
          if (body == null) {
            if (param.path("required").asBoolean(false)) {
              problems.add("a JSON body (" + name + ") is required");
            }
          } else {
            validate(best.file(), param.path("schema"), body, "body", problems);
          }
        }
        default -> {}
      }
    }
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "request does not match the Fabric spec for "
            + opName
            + " ("
            + method
            + " "
            + best.template()
            + "): "
            + String.join("; ", problems));
  }

  private record Resolved(String file, JsonNode node) {}

  private Resolved resolve(String file, JsonNode node) {
    int guard = 0;
    while (node.has("$ref") && guard++ < 20) {
      String ref = node.get("$ref").asText();
      int hash = ref.indexOf('#');
      String target = hash <= 0 ? file : join(file, ref.substring(0, hash));
      String pointer = hash < 0 ? "" : ref.substring(hash + 1);
      Optional<JsonNode> doc = doc(target);
      if (doc.isEmpty()) {
        return new Resolved(target, JSON.createObjectNode()); // unknown file: accept anything
      }
      file = target;
      node = doc.get().at(pointer);
    }
    return new Resolved(file, node);
  }

  private void validate(
      String file, JsonNode schemaRef, JsonNode value, String where, List<String> problems) {
    Resolved r = resolve(file, schemaRef);
    JsonNode schema = r.node();
    String f = r.file();
    if (value == null || value.isNull()) {
      return;
    }
    String type = schema.path("type").asText("");
    boolean objectLike = type.equals("object") || schema.has("properties") || schema.has("allOf");
    if (objectLike && !type.equals("array")) {
      if (!value.isObject()) {
        problems.add(where + " must be a JSON object");
        return;
      }
      Map<String, Resolved> props = new HashMap<>();
      Set<String> required = new LinkedHashSet<>();
      boolean open = collect(f, schema, props, required);
      for (String req : required) {
        if (!value.has(req) || value.get(req).isNull()) {
          problems.add(where + "." + req + " is required");
        }
      }
      value
          .properties()
          .forEach(
              e -> {
                Resolved p = props.get(e.getKey());
                if (p == null) {
                  if (!open) {
                    problems.add(
                        where
                            + "."
                            + e.getKey()
                            + " is not a property of this request (known: "
                            + String.join(", ", new java.util.TreeSet<>(props.keySet()))
                            + ")");
                  }
                } else {
                  validate(p.file(), p.node(), e.getValue(), where + "." + e.getKey(), problems);
                }
              });
      return;
    }
    switch (type) {
      case "array" -> {
        if (!value.isArray()) {
          problems.add(where + " must be an array");
          return;
        }
        int i = 0;
        for (JsonNode item : value) {
          validate(f, schema.path("items"), item, where + "[" + i++ + "]", problems);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          problems.add(where + " must be a string");
        } else if ("uuid".equals(schema.path("format").asText())
            && !UUID_FORM.matcher(value.asText()).matches()) {
          problems.add(where + " '" + value.asText() + "' is not a GUID");
        } else if (schema.has("enum")
            && !schema.path("x-ms-enum").path("modelAsString").asBoolean(true)) {
          boolean known = false;
          for (JsonNode e : schema.get("enum")) {
            known |= e.asText().equals(value.asText());
          }
          if (!known) {
            problems.add(where + " '" + value.asText() + "' is not one of " + schema.get("enum"));
          }
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          problems.add(where + " must be a boolean");
        }
      }
      case "integer", "number" -> {
        if (!value.isNumber()) {
          problems.add(where + " must be a number");
        }
      }
      default -> {}
    }
  }

  /** Gathers properties and required names over allOf; true if the schema allows more. */
  private boolean collect(
      String file, JsonNode schema, Map<String, Resolved> props, Set<String> required) {
    boolean open =
        schema.has("additionalProperties") && !schema.get("additionalProperties").isBoolean()
            || schema.path("additionalProperties").asBoolean(false)
            || schema.has("discriminator")
            || schema.has("x-ms-discriminator-value");
    schema
        .path("properties")
        .properties()
        .forEach(e -> props.put(e.getKey(), new Resolved(file, e.getValue())));
    schema.path("required").forEach(n -> required.add(n.asText()));
    for (JsonNode part : schema.path("allOf")) {
      Resolved r = resolve(file, part);
      open |= collect(r.file(), r.node(), props, required);
    }
    if (!schema.has("properties") && !schema.has("allOf")) {
      open = true;
    }
    return open;
  }

  private synchronized Optional<JsonNode> doc(String file) {
    return docs.computeIfAbsent(
        file,
        f -> {
          try (InputStream in = FabricSpec.class.getResourceAsStream(BASE + f)) {
            return in == null ? Optional.empty() : Optional.of(JSON.readTree(in));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static String join(String from, String relative) {
    List<String> parts = new ArrayList<>(List.of(from.split("/")));
    parts.remove(parts.size() - 1);
    for (String s : relative.split("/")) {
      if (s.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
      } else if (!s.equals(".") && !s.isEmpty()) {
        parts.add(s);
      }
    }
    return String.join("/", parts);
  }
}
