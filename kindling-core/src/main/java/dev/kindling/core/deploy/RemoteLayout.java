package dev.kindling.core.deploy;

import java.util.regex.Pattern;

/**
 * Where things live below a target's artifacts root ({@code docs/internals/release-and-shim.md}).
 * Blobs are content-addressed and never overwritten; a release manifest names the blobs of one
 * deploy; a run's result sits under its run tag.
 */
public final class RemoteLayout {
  /** App names are used as one storage path segment. */
  public static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern RUN_TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private RemoteLayout() {}

  /** {@code data-apps/<app>} */
  public static String appDir(String app) {
    requireApp(app);
    return "data-apps/" + app;
  }

  /** {@code data-apps/<app>/blobs} */
  public static String blobsDir(String app) {
    return appDir(app) + "/blobs";
  }

  /** {@code data-apps/<app>/blobs/<sha256>/<file name>} */
  public static String blobPath(String app, String sha256, String fileName) {
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a lower-case SHA-256: " + sha256);
    }
    if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\")) {
      throw new IllegalArgumentException("not a file name: " + fileName);
    }
    return blobsDir(app) + "/" + sha256 + "/" + fileName;
  }

  /** {@code data-apps/<app>/releases} */
  public static String releasesDir(String app) {
    return appDir(app) + "/releases";
  }

  /** {@code data-apps/<app>/releases/<release>.json} */
  public static String releasePath(String app, String release) {
    return releasesDir(app) + "/" + requireTag(release) + ".json";
  }

  /** {@code data-apps/<app>/runs/<run tag>} */
  public static String runDir(String app, String runTag) {
    return appDir(app) + "/runs/" + requireTag(runTag);
  }

  /** {@code data-apps/<app>/runs/<run tag>/result.json} */
  public static String resultPath(String app, String runTag) {
    return runDir(app, runTag) + "/result.json";
  }

  private static void requireApp(String app) {
    if (app == null || !APP_NAME.matcher(app).matches()) {
      throw new IllegalArgumentException(
          "app name '" + app + "' is not a valid path segment (letters, digits, . _ -)");
    }
  }

  private static String requireTag(String tag) {
    if (tag == null || !RUN_TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("not a valid id: " + tag);
    }
    return tag;
  }
}
