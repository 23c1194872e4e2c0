package dev.kindling.databricks;

/** Checks of the relative, {@code /}-separated paths an {@code ArtifactStore} is given. */
final class StorePaths {
  private StorePaths() {}

  /** {@code path} if it is a relative store path (no leading slash, no empty or dot segments). */
  static String check(String path) {
    if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\")) {
      throw new IllegalArgumentException("not a relative store path: " + path);
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("not a relative store path: " + path);
      }
    }
    return path;
  }

  /** The part of {@code absolute} below {@code base}, or null when it is not below it. */
  static String relativize(String base, String absolute) {
    String a = absolute.endsWith("/") ? absolute.substring(0, absolute.length() - 1) : absolute;
    return a.startsWith(base + "/") ? a.substring(base.length() + 1) : null;
  }
}
