package dev.kindling.core.app;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.error.Problems;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the parsed tree of {@code app.yaml} or of a {@code .kda}'s {@code kda-manifest.json} into
 * an {@link AppManifest}, collecting every problem rather than stopping at the first.
 */
final class ManifestReader {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestReader.class);

  static final String APP_YAML = "app.yaml";

  /** The keys {@code app.yaml} may have, in the order they are documented. */
  static final Set<String> APP_YAML_KEYS =
      new LinkedHashSet<>(
          List.of(
              "name",
              "version",
              "description",
              "entry_point",
              "dependencies",
              "environment",
              "metadata",
              "runtime",
              "main_class",
              "jars",
              "include",
              "exclude"));

  static final String DEFAULT_ENTRY_POINT = "app.py";

  private static final Map<String, String> LIST_EXAMPLES =
      Map.of(
          "dependencies", "pandas",
          "jars", "lib/x.jar",
          "include", "data/**",
          "exclude", "tests/**");

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Pattern JAVA_CLASS_NAME =
      Pattern.compile("(?:[\\p{L}_$][\\p{L}\\p{N}_$]*\\.)*[\\p{L}_$][\\p{L}\\p{N}_$]*");

  /** Which file is read: decides the locations in problems and how strict the reading is. */
  enum Source {
    /** {@code app.yaml}: unknown keys are problems. */
    APP_YAML(ManifestReader.APP_YAML),
    /** {@code kda-manifest.json}: keys of other writers are ignored. */
    KDA_MANIFEST(FileSelection.KDA_MANIFEST);

    final String label;

    Source(String label) {
      this.label = label;
    }
  }

  /**
   * What was read. The manifest is complete even when there were problems (bad values replaced by
   * defaults), so that later checks can still run; {@code badKeys} names the keys whose value was
   * not usable, so that later checks depending on them can be skipped.
   */
  record Result(AppManifest manifest, Set<String> badKeys) {
    boolean ok(String key) {
      return !badKeys.contains(key);
    }
  }

  private final Source source;
  private final Problems problems;
  private final Set<String> badKeys = new HashSet<>();
  private final ObjectMapper mapper;

  private ManifestReader(Source source, Problems problems, ObjectMapper mapper) {
    this.source = source;
    this.problems = problems;
    this.mapper = mapper;
  }

  /**
   * Reads {@code root} (the whole document; {@code null} for an empty document). {@code
   * defaultName} is used when the document has no {@code name}; {@code defaultNameOrigin} says
   * where it came from, for messages (e.g. "the directory name").
   */
  static Result read(
      JsonNode root,
      Source source,
      String defaultName,
      String defaultNameOrigin,
      ObjectMapper mapper,
      Problems problems) {
    return new ManifestReader(source, problems, mapper).read(root, defaultName, defaultNameOrigin);
  }

  /** The manifest used when there is no {@code app.yaml}: all defaults. */
  static AppManifest defaults(String name) {
    return new AppManifest(
        name,
        null,
        null,
        DEFAULT_ENTRY_POINT,
        null,
        null,
        null,
        AppFiles.Runtime.PYTHON,
        Optional.empty(),
        null,
        null,
        null);
  }

  /** Whether {@code name} is safe as an app name: a storage path segment. */
  static boolean isSafeName(String name) {
    return name != null && SAFE_NAME.matcher(name).matches();
  }

  /** {@code name} with every unsafe character replaced, for a suggestion. */
  static String sanitizedName(String name) {
    String s = name.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+", "");
    if (s.length() > 128) {
      s = s.substring(0, 128);
    }
    return s.isEmpty() ? "my-app" : s;
  }

  private Result read(JsonNode root, String defaultName, String defaultNameOrigin) {
    if (root == null || root.isMissingNode() || root.isNull()) {
      problem(
          source.label,
          "is empty",
          "add at least `name: " + sanitizedName(defaultName) + "` and `entry_point: app.py`");
      return new Result(defaults(sanitizedName(defaultName)), Set.copyOf(APP_YAML_KEYS));
    }
    if (!root.isObject()) {
      problem(
          source.label,
          "the top level must be a mapping of keys to values, not " + describe(root),
          "write one `key: value` per line, starting with `name: "
              + sanitizedName(defaultName)
              + "`");
      return new Result(defaults(sanitizedName(defaultName)), Set.copyOf(APP_YAML_KEYS));
    }
    checkKeys(root);
    if (source == Source.KDA_MANIFEST) {
      checkKdaVersion(root);
    }

    String name = readName(root, defaultName, defaultNameOrigin);
    String version = string(root, "version", true);
    String description = string(root, "description", false);
    String environment = string(root, "environment", false);
    List<String> dependencies = stringList(root, "dependencies");
    Map<String, Object> metadata = metadata(root);
    AppFiles.Runtime runtime = runtime(root);
    String mainClass = string(root, "main_class", false);
    String entryPoint = string(root, "entry_point", false);
    List<String> jars = stringList(root, "jars");
    List<String> include = globs(root, "include");
    List<String> exclude = globs(root, "exclude");

    if (version != null && version.isBlank()) {
      problem(key("version"), "is empty", "set a version such as `version: 1.0.0`, or remove it");
      bad("version");
      version = null;
    }
    if (entryPoint != null) {
      entryPoint = checkAppPath("entry_point", entryPoint);
    }
    List<String> safeJars = new ArrayList<>();
    for (int i = 0; i < jars.size(); i++) {
      String jar = checkAppPath("jars[" + i + "]", jars.get(i));
      if (jar == null) {
        bad("jars");
      } else if (!jar.toLowerCase(Locale.ROOT).endsWith(".jar")) {
        problem(key("jars[" + i + "]"), "'" + jar + "' is not a .jar file", "list only jar files");
        bad("jars");
      } else {
        safeJars.add(jar);
      }
    }

    if (runtime == AppFiles.Runtime.JVM) {
      if (mainClass == null && ok("main_class")) {
        problem(
            key("main_class"),
            "is required for `runtime: jvm`",
            "add `main_class: com.example.Main`, the class whose main method starts the app");
        bad("main_class");
      } else if (mainClass != null && !JAVA_CLASS_NAME.matcher(mainClass).matches()) {
        problem(
            key("main_class"),
            "'" + PathNames.printable(mainClass) + "' is not a Java class name",
            "use the fully qualified name, e.g. `main_class: com.example.Main`");
        bad("main_class");
        mainClass = null;
      }
      if (entryPoint == null) {
        if (ok("entry_point")) {
          problem(
              key("entry_point"),
              "is required for `runtime: jvm`: it names the app's jar",
              "add `entry_point: my-app.jar`, the path of the app's jar in the app");
        }
        bad("entry_point");
        entryPoint = "";
      } else if (!entryPoint.toLowerCase(Locale.ROOT).endsWith(".jar")) {
        problem(
            key("entry_point"),
            "'"
                + entryPoint
                + "' is not a jar; for `runtime: jvm` the entry point is the app's jar",
            "set `entry_point: my-app.jar`");
        bad("entry_point");
      }
    } else {
      if (mainClass != null) {
        problem(
            key("main_class"),
            "is only used by JVM apps, and this app's runtime is python",
            "add `runtime: jvm`, or remove main_class");
        bad("main_class");
        mainClass = null;
      }
      if (!jars.isEmpty()) {
        problem(
            key("jars"),
            "is only used by JVM apps, and this app's runtime is python",
            "add `runtime: jvm`, or remove jars");
        bad("jars");
        safeJars.clear();
      }
      if (entryPoint == null) {
        entryPoint = DEFAULT_ENTRY_POINT;
      }
    }
    if (entryPoint == null) {
      entryPoint = "";
    }

    AppManifest manifest =
        new AppManifest(
            name,
            version,
            description,
            entryPoint,
            dependencies,
            environment,
            metadata,
            runtime,
            Optional.ofNullable(mainClass),
            safeJars,
            include,
            exclude);
    return new Result(manifest, Set.copyOf(badKeys));
  }

  private void checkKeys(JsonNode root) {
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (APP_YAML_KEYS.contains(k)) {
        continue;
      }
      if (source == Source.KDA_MANIFEST) {
        // lake_requirements, created_at, kda_version and whatever other writers add
        LOG.debug("{}: ignoring key '{}'", source.label, k);
        continue;
      }
      Optional<String> suggestion = suggest(k, APP_YAML_KEYS);
      problem(
          key(PathNames.printable(k)),
          "unknown key",
          suggestion
              .map(s -> "did you mean '" + s + "'?")
              .orElse("the keys app.yaml can have are: " + String.join(", ", APP_YAML_KEYS)));
    }
  }

  private void checkKdaVersion(JsonNode root) {
    JsonNode node = root.get("kda_version");
    if (node == null || node.isNull()) {
      return;
    }
    String v = node.asText();
    if (!v.equals("1") && !v.startsWith("1.")) {
      problem(
          key("kda_version"),
          "'" + PathNames.printable(v) + "' is not a supported .kda version; this reader knows 1.x",
          "package the app again with this version of Kindling");
    }
  }

  private String readName(JsonNode root, String defaultName, String defaultNameOrigin) {
    JsonNode node = root.get("name");
    if (node != null && node.isNull()) {
      problem(key("name"), "is empty", "set `name: " + sanitizedName(defaultName) + "`");
      bad("name");
      return sanitizedName(defaultName);
    }
    String name = string(root, "name", true);
    if (name == null) {
      if (!ok("name")) {
        return sanitizedName(defaultName);
      }
      if (!isSafeName(defaultName)) {
        problem(
            key("name"),
            "is not set, and "
                + defaultNameOrigin
                + " '"
                + PathNames.printable(defaultName)
                + "' is not a valid app name: "
                + nameRule(),
            "set `name: " + sanitizedName(defaultName) + "`");
        bad("name");
        return sanitizedName(defaultName);
      }
      return defaultName;
    }
    if (!isSafeName(name)) {
      problem(
          key("name"),
          "'" + PathNames.printable(name) + "' is not a valid app name: " + nameRule(),
          "use e.g. `name: " + sanitizedName(name) + "`");
      bad("name");
      return sanitizedName(name);
    }
    return name;
  }

  static String nameRule() {
    return "it becomes a storage path segment, so use 1 to 128 letters, digits, '.', '_' or '-',"
        + " starting with a letter or digit";
  }

  /**
   * The string value of {@code key}, or null when absent or null. Numbers are taken as written when
   * {@code numbersAllowed}.
   */
  private String string(JsonNode root, String key, boolean numbersAllowed) {
    JsonNode node = root.get(key);
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue().trim();
    }
    if (node.isNumber() && numbersAllowed) {
      return node.isBigDecimal() ? node.decimalValue().toPlainString() : node.asText();
    }
    problem(
        key(key),
        "must be a string, not " + describe(node),
        node.isContainerNode()
            ? "write a single value, e.g. `" + key + ": some text`"
            : "quote the value, e.g. `" + key + ": \"" + node.asText() + "\"`");
    bad(key);
    return null;
  }

  private List<String> stringList(JsonNode root, String key) {
    JsonNode node = root.get(key);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      String example = node.isTextual() ? node.textValue() : LIST_EXAMPLES.getOrDefault(key, "x");
      problem(
          key(key),
          "must be a list of strings, not " + describe(node),
          "write `" + key + ": [" + example + "]`, or one `- " + example + "` line per item");
      bad(key);
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      if (item.isTextual() && !item.textValue().isBlank()) {
        out.add(item.textValue().trim());
      } else {
        problem(
            key(key + "[" + i + "]"),
            item.isTextual() ? "is empty" : "must be a string, not " + describe(item),
            item.isTextual() ? "remove the empty item" : "quote the value");
        bad(key);
      }
    }
    return out;
  }

  private List<String> globs(JsonNode root, String key) {
    List<String> globs = stringList(root, key);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < globs.size(); i++) {
      Optional<String> why = FileSelection.globProblem(globs.get(i));
      if (why.isPresent()) {
        problem(
            key(key + "[" + i + "]"),
            "'" + PathNames.printable(globs.get(i)) + "': " + why.get(),
            "use a glob such as `data/**` or `*.csv`");
        bad(key);
      } else {
        out.add(globs.get(i));
      }
    }
    return out;
  }

  private Map<String, Object> metadata(JsonNode root) {
    JsonNode node = root.get("metadata");
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      problem(
          key("metadata"),
          "must be a mapping of keys to values, not " + describe(node),
          "write `metadata:` followed by indented `key: value` lines");
      bad("metadata");
      return Map.of();
    }
    return mapper.convertValue(node, new TypeReference<Map<String, Object>>() {});
  }

  private AppFiles.Runtime runtime(JsonNode root) {
    String value = string(root, "runtime", false);
    if (value == null) {
      return AppFiles.Runtime.PYTHON;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "python":
        return AppFiles.Runtime.PYTHON;
      case "jvm":
        return AppFiles.Runtime.JVM;
      default:
        Optional<String> s =
            value.equalsIgnoreCase("java")
                ? Optional.of("jvm")
                : suggest(value, List.of("python", "jvm"));
        problem(
            key("runtime"),
            "'" + PathNames.printable(value) + "' is not a runtime; use python or jvm",
            s.map(x -> "did you mean '" + x + "'?")
                .orElse("use `runtime: python` or `runtime: jvm`"));
        bad("runtime");
        return AppFiles.Runtime.PYTHON;
    }
  }

  /** {@code value} when it is a safe relative path in the app, else null (with a problem). */
  private String checkAppPath(String key, String value) {
    String path = value.startsWith("./") ? value.substring(2) : value;
    Optional<String> why = PathNames.unsafeReason(path);
    if (why.isPresent()) {
      problem(
          key(key),
          "'" + PathNames.printable(value) + "' is not a path inside the app: " + why.get(),
          "use a path relative to the app directory with '/' separators, e.g. `main.py`");
      bad(key.replaceAll("\\[.*", ""));
      return null;
    }
    return path;
  }

  private String key(String key) {
    return source.label + ": " + key;
  }

  private void problem(String location, String message, String fix) {
    problems.add(location, message, fix);
  }

  private void bad(String key) {
    badKeys.add(key);
  }

  private boolean ok(String key) {
    return !badKeys.contains(key);
  }

  private static String describe(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isNumber()) {
      return "a number (" + node.asText() + ")";
    }
    if (node.isBoolean()) {
      return "a boolean (" + node.asText() + ")";
    }
    if (node.isTextual()) {
      return "a string";
    }
    return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** The known word closest to {@code word}, if it is close enough to be a likely typo. */
  static Optional<String> suggest(String word, Collection<String> known) {
    String w = normalize(word);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = Math.min(levenshtein(word, k), levenshtein(w, normalize(k)));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    int allowed = Math.max(2, best.length() / 3);
    return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /** The Levenshtein edit distance between {@code a} and {@code b}. */
  static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
