package dev.kindling.core.app;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Which files of an app directory are deployed. Paths are relative to the app directory, with
 * {@code /} separators.
 *
 * <p>A file is deployed when it is not {@linkplain #isAlwaysSkipped(String) always skipped}, does
 * not match an {@code exclude} glob, and either passes {@linkplain #isDeployable(String, String,
 * String) the default rule} or matches an {@code include} glob.
 *
 * <p>The default rule is the one of Python Kindling ({@code is_deployable_app_file}), looking at
 * the file name only:
 *
 * <ul>
 *   <li>{@code settings.local.yaml} and {@code settings.local.yml} are never deployed;
 *   <li>the legacy overlays {@code app.<x>.yaml|yml} are not deployed ({@code app.yaml} is);
 *   <li>{@code settings.<x>.yaml|yml} is deployed only when {@code <x>} equals the platform or the
 *       environment ({@code settings.yaml} always is);
 *   <li>{@code requirements.txt}, {@code lake-reqs.txt}, and files ending in {@code .py}, {@code
 *       .yaml}, {@code .yml}, {@code .sql}, {@code .whl} or {@code .jar} (in any case) are
 *       deployed; everything else is not.
 * </ul>
 *
 * <p>The {@code settings.local}, {@code app.<x>} and {@code settings.<x>} prefixes and the suffixes
 * are matched ignoring case; {@code <x>} is compared with the platform and the environment exactly.
 *
 * <p>Globs are {@link java.nio.file.FileSystem#getPathMatcher(String) PathMatcher} {@code glob:}
 * patterns matched against the whole relative path: {@code *} stays within one directory, {@code
 * **} crosses directories. Note that <code>**&#47;*.csv</code> matches {@code data/a.csv} but
 * <em>not</em> the top-level {@code a.csv}, because the {@code /} must be there; write <code>
 * {*.csv,**&#47;*.csv}</code> for "at any depth". Likewise {@code tests/**} matches everything
 * under the top-level {@code tests} directory, and <code>**&#47;tests/**</code> everything under a
 * nested one. On Windows, glob matching ignores case.
 */
public final class FileSelection {
  /** Directory names never descended into, in addition to hidden directories. */
  static final Set<String> SKIPPED_DIRECTORIES =
      Set.of("__pycache__", ".git", ".venv", "venv", "target");

  /** The manifest file of a {@code .kda} archive; never an app file. */
  static final String KDA_MANIFEST = "kda-manifest.json";

  private static final Set<String> SUFFIXES = Set.of("py", "yaml", "yml", "sql", "whl", "jar");

  private static final FileSelection DEFAULTS = new FileSelection(List.of(), List.of());

  private final List<String> include;
  private final List<String> exclude;
  private final List<PathMatcher> includeMatchers;
  private final List<PathMatcher> excludeMatchers;

  private FileSelection(List<String> include, List<String> exclude) {
    this.include = List.copyOf(include);
    this.exclude = List.copyOf(exclude);
    this.includeMatchers = matchers(this.include);
    this.excludeMatchers = matchers(this.exclude);
  }

  /** The default rule without extra globs. */
  public static FileSelection defaults() {
    return DEFAULTS;
  }

  /**
   * The default rule plus {@code include} globs, minus {@code exclude} globs.
   *
   * @throws IllegalArgumentException when a glob is not valid
   */
  public static FileSelection of(List<String> include, List<String> exclude) {
    Objects.requireNonNull(include, "include");
    Objects.requireNonNull(exclude, "exclude");
    return include.isEmpty() && exclude.isEmpty() ? DEFAULTS : new FileSelection(include, exclude);
  }

  /** The selection described by an app's {@code include} and {@code exclude} globs. */
  public static FileSelection of(AppManifest manifest) {
    return of(manifest.include(), manifest.exclude());
  }

  /** The include globs. */
  public List<String> include() {
    return include;
  }

  /** The exclude globs. */
  public List<String> exclude() {
    return exclude;
  }

  /**
   * Whether the file at {@code relativePath} is deployed for {@code platform} and {@code
   * environment}.
   */
  public boolean selects(String relativePath, String platform, String environment) {
    if (isAlwaysSkipped(relativePath)) {
      return false;
    }
    if (!excludeMatchers.isEmpty() || !includeMatchers.isEmpty()) {
      Path path = asPath(relativePath);
      if (matchesAny(excludeMatchers, path)) {
        return false;
      }
      if (matchesAny(includeMatchers, path)) {
        return true;
      }
    }
    return matchesDefaultRule(fileName(relativePath), platform, environment);
  }

  /**
   * The default rule: whether the file at {@code relativePath} is deployed for {@code platform} and
   * {@code environment} when an app has no {@code include} or {@code exclude} globs.
   */
  public static boolean isDeployable(String relativePath, String platform, String environment) {
    return !isAlwaysSkipped(relativePath)
        && matchesDefaultRule(fileName(relativePath), platform, environment);
  }

  /**
   * Whether the file at {@code relativePath} is never deployed, whatever the globs say: files under
   * {@code __pycache__/}, {@code .git/}, {@code .venv/}, {@code venv/}, {@code target/} or any
   * hidden directory (name starting with {@code .}), {@code *.pyc} files and {@code
   * kda-manifest.json}.
   */
  public static boolean isAlwaysSkipped(String relativePath) {
    String[] segments = relativePath.split("/", -1);
    for (int i = 0; i < segments.length - 1; i++) {
      if (isSkippedDirectory(segments[i])) {
        return true;
      }
    }
    String name = segments[segments.length - 1];
    return name.equals(KDA_MANIFEST) || name.toLowerCase(Locale.ROOT).endsWith(".pyc");
  }

  /** Whether a directory of this name is never descended into. */
  public static boolean isSkippedDirectory(String name) {
    return name.startsWith(".") || SKIPPED_DIRECTORIES.contains(name);
  }

  private static boolean matchesDefaultRule(String name, String platform, String environment) {
    if (name.equals("requirements.txt") || name.equals("lake-reqs.txt")) {
      return true;
    }
    int dot = name.lastIndexOf('.');
    if (dot < 0) {
      return false;
    }
    String suffix = name.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (!suffix.equals("yaml") && !suffix.equals("yml")) {
      return SUFFIXES.contains(suffix);
    }
    String stem = name.substring(0, dot);
    String lowerStem = stem.toLowerCase(Locale.ROOT);
    if (lowerStem.equals("settings.local")) {
      return false;
    }
    if (lowerStem.startsWith("app.") && lowerStem.length() > "app.".length()) {
      return false;
    }
    if (lowerStem.startsWith("settings.") && lowerStem.length() > "settings.".length()) {
      String overlay = stem.substring("settings.".length());
      return overlay.equals(platform) || overlay.equals(environment);
    }
    return true;
  }

  private static String fileName(String relativePath) {
    return relativePath.substring(relativePath.lastIndexOf('/') + 1);
  }

  private static Path asPath(String relativePath) {
    String[] segments = relativePath.split("/");
    return FileSystems.getDefault()
        .getPath(segments[0], Arrays.copyOfRange(segments, 1, segments.length));
  }

  private static boolean matchesAny(List<PathMatcher> matchers, Path path) {
    for (PathMatcher m : matchers) {
      if (m.matches(path)) {
        return true;
      }
    }
    return false;
  }

  private static List<PathMatcher> matchers(List<String> globs) {
    FileSystem fs = FileSystems.getDefault();
    List<PathMatcher> out = new ArrayList<>(globs.size());
    for (String glob : globs) {
      Objects.requireNonNull(glob, "glob");
      try {
        out.add(fs.getPathMatcher("glob:" + glob));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "'" + glob + "' is not a valid glob: " + e.getDescription(), e);
      }
    }
    return out;
  }

  /** Checks that {@code glob} compiles; empty when it does, else the reason. */
  static Optional<String> globProblem(String glob) {
    if (glob.isBlank()) {
      return Optional.of("the glob is empty");
    }
    try {
      FileSystems.getDefault().getPathMatcher("glob:" + glob);
      return Optional.empty();
    } catch (PatternSyntaxException e) {
      return Optional.of("it is not a valid glob: " + e.getDescription());
    }
  }

  @Override
  public String toString() {
    return "FileSelection[include=" + include + ", exclude=" + exclude + "]";
  }
}
