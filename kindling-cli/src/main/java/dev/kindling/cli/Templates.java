package dev.kindling.cli;

import dev.kindling.core.error.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app templates of {@code kindling init}, shipped as resources under {@code
 * dev/kindling/cli/templates/}: {@code templates.txt} lists them, each template's {@code files.txt}
 * lists its files, and {@code versions.properties} (filtered by the build) holds the versions a
 * generated Maven module uses.
 *
 * <p>A resource whose name starts with {@code dot-} is written with a leading dot instead ({@code
 * dot-gitignore} becomes {@code .gitignore}): the build leaves dot files out of jars.
 *
 * <p>Templating is one pass of {@code {{key}}} substitution in file contents and paths, with values
 * that are validated first (so they cannot carry markup, path separators or quotes); a placeholder
 * without a value is an error, never left in the output.
 */
final class Templates {
  static final String ROOT = "templates/";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");
  private static final int MAX_NAME = 64;
  private static final Pattern PACKAGE = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*");
  private static final Pattern GROUP_ID = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
  private static final Set<String> JAVA_KEYWORDS =
      Set.of(
          "abstract",
          "assert",
          "boolean",
          "break",
          "byte",
          "case",
          "catch",
          "char",
          "class",
          "const",
          "continue",
          "default",
          "do",
          "double",
          "else",
          "enum",
          "extends",
          "final",
          "finally",
          "float",
          "for",
          "goto",
          "if",
          "implements",
          "import",
          "instanceof",
          "int",
          "interface",
          "long",
          "native",
          "new",
          "package",
          "private",
          "protected",
          "public",
          "return",
          "short",
          "static",
          "strictfp",
          "super",
          "switch",
          "synchronized",
          "this",
          "throw",
          "throws",
          "transient",
          "try",
          "void",
          "volatile",
          "while",
          "true",
          "false",
          "null",
          "_");
  private static final Set<String> PYTHON_RESERVED =
      Set.of(
          "false",
          "none",
          "true",
          "and",
          "as",
          "assert",
          "async",
          "await",
          "break",
          "class",
          "continue",
          "def",
          "del",
          "elif",
          "else",
          "except",
          "finally",
          "for",
          "from",
          "global",
          "if",
          "import",
          "in",
          "is",
          "lambda",
          "nonlocal",
          "not",
          "or",
          "pass",
          "raise",
          "return",
          "try",
          "while",
          "with",
          "yield",
          // names the generated app imports or that would shadow its test package
          "tests",
          "main",
          "pyspark",
          "re",
          "os",
          "sys",
          "collections",
          "importlib",
          "unittest");

  private Templates() {}

  /** A template: its name, a one-line description and the paths of its files (with keys). */
  record Template(String name, String description, List<String> files) {}

  /** Every template, in the order of {@code templates.txt}. */
  static List<Template> all() {
    List<Template> out = new ArrayList<>();
    for (String line : lines(resource(ROOT + "templates.txt"))) {
      int bar = line.indexOf('|');
      String name = line.substring(0, bar);
      out.add(
          new Template(name, line.substring(bar + 1), lines(resource(ROOT + name + "/files.txt"))));
    }
    return out;
  }

  static Optional<Template> named(String name) {
    return all().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  static List<String> names() {
    return all().stream().map(Template::name).toList();
  }

  /** The versions filled in by the build. */
  static Map<String, String> versions() {
    Properties p = new Properties();
    try (InputStream in = open(ROOT + "versions.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) {
      String v = p.getProperty(k);
      if (v.contains("${")) {
        throw new IllegalStateException(
            "versions.properties was not filtered by the build: " + k + "=" + v);
      }
      m.put(k, v);
    }
    return m;
  }

  /**
   * Checks the values {@code kindling init} substitutes and returns them all, keys as in the
   * templates; problems are added to {@code problems}.
   */
  static Map<String, String> values(
      String name, String nameLabel, String javaPackage, String groupId, Problems problems) {
    return values(name, nameLabel, javaPackage, groupId, true, true, problems);
  }

  /**
   * As {@link #values(String, String, String, String, Problems)}, checking the Python package name
   * only when {@code python} and the Java package and group id only when {@code java} (the template
   * uses them).
   */
  static Map<String, String> values(
      String name,
      String nameLabel,
      String javaPackage,
      String groupId,
      boolean python,
      boolean java,
      Problems problems) {
    Map<String, String> v = new LinkedHashMap<>(versions());
    boolean nameOk = name.length() <= MAX_NAME && NAME.matcher(name).matches();
    if (!nameOk) {
      problems.add(
          nameLabel,
          "is not a valid app name",
          "use at most "
              + MAX_NAME
              + " lowercase letters, digits, '-' and '_', starting with a letter (e.g. "
              + suggestName(name)
              + ")");
    }
    String pythonPackage = name.replace('-', '_');
    if (python && nameOk && PYTHON_RESERVED.contains(pythonPackage)) {
      problems.add(
          nameLabel,
          "would make the Python package '" + pythonPackage + "', a reserved or imported name",
          "choose another name, e.g. " + name + "-app");
    }
    String pkg = javaPackage != null ? javaPackage : "com.example." + name.replaceAll("[-_]", "");
    boolean pkgOk =
        PACKAGE.matcher(pkg).matches()
            && List.of(pkg.split("\\.")).stream().noneMatch(JAVA_KEYWORDS::contains);
    if (java && !pkgOk && (javaPackage != null || nameOk)) {
      problems.add(
          javaPackage != null ? "--package '" + pkg + "'" : nameLabel,
          javaPackage != null
              ? "is not a valid Java package name"
              : "makes the Java package '" + pkg + "', which is not valid",
          "give --package as lowercase dot-separated identifiers that are not Java keywords, e.g."
              + " com.example.myapp");
    }
    String group = groupId != null ? groupId : "com.example";
    if (java && !GROUP_ID.matcher(group).matches()) {
      problems.add(
          "--group-id '" + group + "'",
          "is not a valid Maven group id",
          "use dot-separated letters, digits, '-' and '_', e.g. com.example");
    }
    v.put("name", name);
    v.put("python_package", pythonPackage);
    v.put("package", pkg);
    v.put("package_path", pkg.replace('.', '/'));
    v.put("group_id", group);
    return v;
  }

  /** A name derived from {@code raw} that {@link #values} accepts, for messages. */
  static String suggestName(String raw) {
    String s = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-");
    s = s.replaceAll("^[^a-z]+", "").replaceAll("-+$", "");
    if (s.length() > MAX_NAME) {
      s = s.substring(0, MAX_NAME);
    }
    return s.isEmpty() ? "my-app" : s;
  }

  /**
   * Renders every file of {@code template} in memory: relative path (keys substituted) to content.
   *
   * @throws IllegalStateException when a file uses a key without a value (a template bug)
   */
  static Map<String, byte[]> render(Template template, Map<String, String> values) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (String file : template.files()) {
      String where = template.name() + "/" + file;
      String text =
          new String(readAll(ROOT + template.name() + "/" + file), StandardCharsets.UTF_8);
      String path = substitute(file.replaceAll("(^|/)dot-", "$1."), values, where);
      out.put(path, substitute(text, values, where).getBytes(UTF8));
    }
    return out;
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  static String substitute(String text, Map<String, String> values, String where) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder(text.length());
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException(
            "template " + where + " uses {{" + m.group(1) + "}}, which has no value");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static List<String> lines(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private static String resource(String path) {
    return new String(readAll(path), StandardCharsets.UTF_8);
  }

  private static byte[] readAll(String path) {
    try (InputStream in = open(path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String path) {
    InputStream in = Templates.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("template resource missing from the CLI: " + path);
    }
    return in;
  }
}
