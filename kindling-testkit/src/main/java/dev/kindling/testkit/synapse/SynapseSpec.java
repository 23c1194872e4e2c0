package dev.kindling.testkit.synapse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the emulator checks of request bodies, taken from the Synapse data-plane specs ({@code
 * shared/specs/synapse/stable/2020-12-01}: {@code entityTypes/SparkJobDefinition.json} and {@code
 * sparkJob.json}). A test compares these lists with the spec files, so they cannot drift apart
 * silently.
 */
public final class SynapseSpec {
  /** {@code SparkJobDefinitionResource.required}. */
  public static final List<String> RESOURCE_REQUIRED = List.of("properties");

  /** {@code SparkJobDefinition.required}. */
  public static final List<String> DEFINITION_REQUIRED =
      List.of("targetBigDataPool", "jobProperties");

  /** {@code SparkJobProperties.required}. */
  public static final List<String> JOB_PROPERTIES_REQUIRED =
      List.of(
          "file", "driverMemory", "driverCores", "executorMemory", "executorCores", "numExecutors");

  /** {@code SparkBatchJobOptions.required}. */
  public static final List<String> BATCH_OPTIONS_REQUIRED = List.of("name", "file");

  /** Integer fields (int32) of SparkJobProperties and SparkBatchJobOptions. */
  public static final List<String> INTEGER_FIELDS =
      List.of("driverCores", "executorCores", "numExecutors");

  /** String-array fields of SparkBatchJobOptions. */
  public static final List<String> ARRAY_FIELDS =
      List.of("args", "jars", "pyFiles", "files", "archives");

  private static final Pattern MEMORY = Pattern.compile("[0-9]+[kmgtKMGT]");

  private SynapseSpec() {}

  /** Every problem of a Spark job definition resource, as {@code path: problem}. */
  public static List<String> checkDefinition(JsonNode resource) {
    List<String> problems = new ArrayList<>();
    required(resource, "", RESOURCE_REQUIRED, problems);
    JsonNode props = resource.path("properties");
    if (!props.isObject()) {
      return problems;
    }
    required(props, "properties.", DEFINITION_REQUIRED, problems);
    JsonNode pool = props.path("targetBigDataPool");
    if (pool.isObject()) {
      required(pool, "properties.targetBigDataPool.", List.of("referenceName", "type"), problems);
      if (pool.has("type") && !"BigDataPoolReference".equals(pool.path("type").asText())) {
        problems.add("properties.targetBigDataPool.type must be BigDataPoolReference");
      }
    }
    JsonNode job = props.path("jobProperties");
    if (job.isObject()) {
      required(job, "properties.jobProperties.", JOB_PROPERTIES_REQUIRED, problems);
      types(job, "properties.jobProperties.", problems);
    }
    return problems;
  }

  /** Every problem of a Livy batch submission ({@code SparkBatchJobOptions}). */
  public static List<String> checkBatchOptions(JsonNode options) {
    List<String> problems = new ArrayList<>();
    if (!options.isObject()) {
      return List.of("the body must be a SparkBatchJobOptions object");
    }
    required(options, "", BATCH_OPTIONS_REQUIRED, problems);
    types(options, "", problems);
    JsonNode conf = options.path("conf");
    if (conf.isObject()) {
      for (Map.Entry<String, JsonNode> e : conf.properties()) {
        if (!e.getValue().isTextual()) {
          problems.add("conf." + e.getKey() + " must be a string");
        }
      }
    }
    JsonNode tags = options.path("tags");
    if (!tags.isMissingNode() && !tags.isNull() && !tags.isObject()) {
      problems.add("tags must be an object of strings");
    }
    return problems;
  }

  private static void required(
      JsonNode node, String prefix, List<String> fields, List<String> problems) {
    for (String f : fields) {
      JsonNode v = node.path(f);
      if (v.isMissingNode() || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
        problems.add(prefix + f + " is required");
      }
    }
  }

  private static void types(JsonNode node, String prefix, List<String> problems) {
    for (String f : INTEGER_FIELDS) {
      JsonNode v = node.path(f);
      if (!v.isMissingNode() && !v.isNull() && !(v.isInt() && v.asInt() > 0)) {
        problems.add(prefix + f + " must be a positive int32, not " + v);
      }
    }
    for (String f : List.of("driverMemory", "executorMemory")) {
      JsonNode v = node.path(f);
      if (!v.isMissingNode()
          && !v.isNull()
          && !(v.isTextual() && MEMORY.matcher(v.asText()).matches())) {
        problems.add(prefix + f + " must be a memory size such as 28g, not " + v);
      }
    }
    for (String f : ARRAY_FIELDS) {
      JsonNode v = node.path(f);
      if (!v.isMissingNode() && !v.isNull()) {
        boolean ok = v.isArray();
        for (JsonNode e : v) {
          ok &= e.isTextual();
        }
        if (!ok) {
          problems.add(prefix + f + " must be an array of strings");
        }
      }
    }
    JsonNode file = node.path("file");
    if (!file.isMissingNode() && !file.isNull() && !file.isTextual()) {
      problems.add(prefix + "file must be a string");
    }
  }
}
