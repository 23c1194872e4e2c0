package dev.kindling.databricks;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where Kindling keeps a Databricks target's artifacts: a Unity Catalog volume directory ({@code
 * /Volumes/<catalog>/<schema>/<volume>/kindling}, preferred) or a DBFS directory ({@code
 * dbfs:/kindling}, for workspaces without Unity Catalog).
 *
 * @param kind volume or DBFS
 * @param path the directory without a trailing slash, as jobs address it ({@code /Volumes/...} or
 *     {@code dbfs:/...})
 */
public record ArtifactsRoot(Kind kind, String path) {
  /** How the root is stored. */
  public enum Kind {
    /** A Unity Catalog volume, through the Files API; the driver reads it as a FUSE path. */
    VOLUME,
    /** DBFS, through the DBFS API; the driver reads it with {@code dbutils.fs}. */
    DBFS
  }

  private static final Pattern VOLUME =
      Pattern.compile("/Volumes/[^/\\s]+/[^/\\s]+/[^/\\s]+(/[^/\\s]+)*");
  private static final Pattern DBFS = Pattern.compile("dbfs:(/[^/\\s]+)+");

  public ArtifactsRoot {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "path");
  }

  /**
   * Parses an {@code artifacts_path} setting; empty when it is neither a volume path nor a DBFS
   * path. A trailing slash is dropped; {@code dbfs:///x} and {@code dbfs://x} are not accepted.
   */
  public static Optional<ArtifactsRoot> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    while (v.length() > 1 && v.endsWith("/")) {
      v = v.substring(0, v.length() - 1);
    }
    if (VOLUME.matcher(v).matches() && noDotSegments(v)) {
      return Optional.of(new ArtifactsRoot(Kind.VOLUME, v));
    }
    if (DBFS.matcher(v).matches() && noDotSegments(v.substring("dbfs:".length()))) {
      return Optional.of(new ArtifactsRoot(Kind.DBFS, v));
    }
    return Optional.empty();
  }

  /** What a valid value looks like, for error messages. */
  public static String expected() {
    return "a Unity Catalog volume directory such as /Volumes/<catalog>/<schema>/<volume>/kindling"
        + " (preferred), or a DBFS directory such as dbfs:/kindling";
  }

  /** The absolute path of {@code relative} (a {@code /}-separated store path) under this root. */
  public String resolve(String relative) {
    return relative.isEmpty() ? path : path + "/" + relative;
  }

  /**
   * The path as the DBFS and Files APIs take it: {@code /Volumes/...} as is, {@code dbfs:/x} as
   * {@code /x}.
   */
  public String apiPath(String relative) {
    String p = resolve(relative);
    return kind == Kind.DBFS ? p.substring("dbfs:".length()) : p;
  }

  private static boolean noDotSegments(String p) {
    for (String s : p.split("/")) {
      if (s.equals(".") || s.equals("..")) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return path;
  }
}
