package dev.kindling.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The targets of a {@code kindling.yaml} file:
 *
 * <pre>{@code
 * targets:
 *   dev:
 *     platform: fabric
 *     workspace_id: ${env:FABRIC_WS}
 *     auth:
 *       method: token            # default | azure_cli | client_secret | managed_identity
 *       token: ${env:MY_TOKEN}   #   | token | databricks_profile | none
 *     job_name: my-app           # job keys are the target's job defaults
 *     executor_memory: 28g
 * }</pre>
 *
 * <p>Each target's keys are split into {@code platform}, {@code auth} ({@link AuthConfig}), job
 * keys ({@link JobConfig#KEYS}, read into {@link TargetConfig#jobDefaults()}) and everything else,
 * the platform settings ({@link TargetConfig#settings()}), which the platform checks itself. {@code
 * ${env:NAME}} and {@code ${env:NAME:-default}} are substituted in every string value. A secret
 * written literally in the file is accepted with a warning in the log (never showing the value).
 *
 * <p>The target {@code local} ({@link TargetConfig#local()}) always exists; the file may redefine
 * it. Problems of the file as a whole (YAML syntax, layout) are thrown by {@link #parse} and {@link
 * #load}; the problems of one target, missing environment variables included, when that target is
 * selected with {@link #target(String)}, so that a target can be used while another one lacks its
 * environment. Immutable.
 */
public final class KindlingConfig {
  /** The usual file name. */
  public static final String FILE_NAME = "kindling.yaml";

  /** The top-level key of job graphs, read by {@code dev.kindling.core.graph.JobGraphs}. */
  public static final String GRAPHS_KEY = "graphs";

  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
  private static final Map<String, TargetConfig> BUILT_IN = Map.of("local", TargetConfig.local());
  private static final Pattern MARK =
      Pattern.compile("^\\s*in '[^']*', line (\\d+), column (\\d+):?\\s*$");

  private final String sourceName;
  private final Map<String, TargetReader.Result> targets;

  private KindlingConfig(String sourceName, Map<String, TargetReader.Result> targets) {
    this.sourceName = sourceName;
    this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
  }

  /** No file: only the built-in {@code local} target. */
  public static KindlingConfig empty() {
    return new KindlingConfig(FILE_NAME, Map.of());
  }

  /**
   * Reads {@code file}, substituting from {@link System#getenv()}.
   *
   * @throws ValidationException when the file is missing or is not valid YAML of the expected
   *     layout
   */
  public static KindlingConfig load(Path file) {
    return load(file, System.getenv());
  }

  /** Reads {@code file}, substituting {@code ${env:NAME}} from {@code env}. */
  public static KindlingConfig load(Path file, Map<String, String> env) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ValidationException(
          Problem.of(
              file.toString(),
              "file not found",
              "create it with a `targets:` mapping, or give the path of an existing file"));
    } catch (CharacterCodingException e) {
      throw new ValidationException(
          Problem.of(file.toString(), "not UTF-8 text", "save the file as UTF-8"));
    } catch (IOException e) {
      throw new KindlingException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString(), env);
  }

  /**
   * Parses YAML text.
   *
   * @param sourceName the name problems are reported under, e.g. {@code kindling.yaml}
   * @param env the environment for {@code ${env:NAME}}
   * @throws ValidationException with every problem of the file's layout, or its YAML syntax error
   *     with line and column
   */
  public static KindlingConfig parse(String yamlText, String sourceName, Map<String, String> env) {
    Objects.requireNonNull(yamlText, "yamlText");
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(env, "env");
    JsonNode root;
    try {
      root = YAML.readTree(yamlText);
    } catch (JsonProcessingException e) {
      throw new ValidationException(syntaxProblem(sourceName, e));
    }
    Object tree = toJava(root);
    Problems problems = new Problems();
    Map<String, TargetReader.Result> targets = new LinkedHashMap<>();
    if (tree instanceof Map<?, ?> top) {
      for (Map.Entry<?, ?> e : top.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (!key.equals("targets") && !key.equals(GRAPHS_KEY)) {
          problems.add(
              Locations.at(sourceName, key),
              "unknown key `" + key + "`",
              Suggestions.didYouMean(key, List.of("targets", GRAPHS_KEY))
                  .orElse("the file's top-level keys are `targets` and `" + GRAPHS_KEY + "`"));
        }
      }
      Object raw = top.get("targets");
      if (raw instanceof Map<?, ?> map) {
        map.forEach(
            (name, target) -> {
              String n = String.valueOf(name);
              targets.put(
                  n,
                  TargetReader.read(
                      n, target, Locations.at(sourceName, "targets." + n), env, BUILT_IN.get(n)));
            });
      } else if (raw != null) {
        problems.add(
            Locations.at(sourceName, "targets"),
            "`targets` must be a mapping of target names to targets, not " + Values.kind(raw),
            "write each target as `name:` with its keys indented below");
      }
    } else if (tree != null) {
      problems.add(
          sourceName,
          "the file must be a mapping with a `targets:` key, not " + Values.kind(tree),
          "start the file with `targets:`");
    }
    problems.throwIfAny();
    return new KindlingConfig(sourceName, targets);
  }

  /** The name problems are reported under (the file path for {@link #load}). */
  public String sourceName() {
    return sourceName;
  }

  /** The target names: the file's, in file order, then the built-in ones it does not redefine. */
  public Set<String> targetNames() {
    Set<String> names = new LinkedHashSet<>(targets.keySet());
    names.addAll(new TreeSet<>(BUILT_IN.keySet()));
    return Collections.unmodifiableSet(names);
  }

  /**
   * The target {@code name}, checked.
   *
   * @throws ValidationException with every problem of that target (unknown keys, bad values,
   *     missing environment variables), or when there is no such target, listing the known ones
   */
  public TargetConfig target(String name) {
    TargetReader.Result r = result(name);
    if (r == null) {
      return BUILT_IN.get(name);
    }
    if (!r.problems().isEmpty()) {
      throw new ValidationException(r.problems());
    }
    return r.target();
  }

  /**
   * The problems of target {@code name} (empty when it is usable).
   *
   * @throws ValidationException when there is no such target
   */
  public List<Problem> problems(String name) {
    TargetReader.Result r = result(name);
    return r == null ? List.of() : r.problems();
  }

  /**
   * The target {@code name} as far as it could be read, even when it has problems: its platform,
   * settings and auth, so that a platform can report its own problems in the same breath. Empty
   * when not even the platform could be read.
   *
   * @throws ValidationException when there is no such target
   */
  public Optional<TargetConfig> draft(String name) {
    TargetReader.Result r = result(name);
    return r == null ? Optional.of(BUILT_IN.get(name)) : Optional.ofNullable(r.draft());
  }

  /** The reader's result for {@code name}; null for a built-in target the file does not name. */
  private TargetReader.Result result(String name) {
    Objects.requireNonNull(name, "name");
    TargetReader.Result r = targets.get(name);
    if (r == null && !BUILT_IN.containsKey(name)) {
      throw new ValidationException(
          Problem.of(
              Locations.at(sourceName, "targets"),
              "unknown target `" + name + "`",
              Suggestions.didYouMean(name, targetNames())
                  .map(s -> s + " ")
                  .orElse("")
                  .concat("known targets: " + String.join(", ", targetNames()))));
    }
    return r;
  }

  /** Every problem of every target, in file order; empty when all targets are usable. */
  public List<Problem> problems() {
    List<Problem> all = new ArrayList<>();
    targets.values().forEach(r -> all.addAll(r.problems()));
    return List.copyOf(all);
  }

  /**
   * Where the target {@code name} is in the file, e.g. {@code kindling.yaml: targets.dev}; the
   * location to give {@link JobConfigs#validate} for its job defaults.
   */
  public String location(String name) {
    return Locations.at(sourceName, "targets." + name);
  }

  /**
   * The settings of target {@code name} that are not in {@code settingKeys} (a platform's {@link
   * dev.kindling.core.spi.PlatformProvider#settingKeys()}), each with a suggestion among those keys
   * and the job keys, as a misspelt job key ends up in the settings.
   *
   * <p>Works on the {@linkplain #draft(String) draft}, so it adds to the target's own problems.
   *
   * @throws ValidationException when there is no such target
   */
  public List<Problem> unknownSettings(String name, Set<String> settingKeys) {
    Objects.requireNonNull(settingKeys, "settingKeys");
    Optional<TargetConfig> draft = draft(name);
    if (draft.isEmpty()) {
      return List.of();
    }
    TargetConfig t = draft.get();
    List<String> candidates = new ArrayList<>(settingKeys);
    candidates.addAll(JobConfig.KEYS);
    List<Problem> out = new ArrayList<>();
    for (String key : t.settings().keySet()) {
      if (!settingKeys.contains(key)) {
        out.add(
            Problem.of(
                Locations.at(location(name), key),
                "unknown key `" + key + "` for platform " + t.platform(),
                Suggestions.didYouMean(key, candidates)
                    .orElse(
                        "platform "
                            + t.platform()
                            + " knows "
                            + (settingKeys.isEmpty()
                                ? "no settings"
                                : String.join(", ", new TreeSet<>(settingKeys))))));
      }
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return "KindlingConfig[" + sourceName + ", targets=" + targetNames() + "]";
  }

  private static Object toJava(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), toJava(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(n -> list.add(toJava(n)));
      return list;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNumber()) {
      return node.numberValue();
    }
    return node.asText();
  }

  /**
   * A YAML error as a problem with line and column. The parser's message quotes the offending
   * source line, which may hold a secret; only its description is kept.
   */
  private static Problem syntaxProblem(String sourceName, JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    int line = -1;
    int column = -1;
    List<String> kept = new ArrayList<>();
    String[] lines = original.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      Matcher m = MARK.matcher(lines[i]);
      if (m.matches()) {
        line = Integer.parseInt(m.group(1));
        column = Integer.parseInt(m.group(2));
        i += 2; // the quoted source line and the caret under it
      } else if (!lines[i].isBlank()) {
        kept.add(lines[i].trim());
      }
    }
    JsonLocation loc = e.getLocation();
    if (line < 0 && loc != null && loc.getLineNr() > 0) {
      line = loc.getLineNr();
      column = loc.getColumnNr();
    }
    String what = String.join("; ", kept);
    Matcher dup = Pattern.compile("^Duplicate field '([^']*)'.*").matcher(what);
    if (dup.matches()) {
      what = "duplicate key `" + dup.group(1) + "`";
    } else if (what.startsWith("Malformed numeric value")) {
      what = "a value looks like a number but is not one";
    } else if (what.contains("unknown escape character")) {
      what = "unknown escape character in a double-quoted value";
    }
    String where = line > 0 ? sourceName + ": line " + line + ", column " + column : sourceName;
    return Problem.of(
        where,
        "invalid YAML: " + (what.isEmpty() ? "cannot be parsed" : what),
        "fix the YAML at that place (quote values that contain `: ` or start with a special"
            + " character)");
  }
}
