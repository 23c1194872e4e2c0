package dev.kindling.core.deploy;

import java.util.Map;
import java.util.Objects;

/**
 * A published release: its manifest is stored and every blob it names exists.
 *
 * @param app the app name
 * @param id the release id
 * @param manifestPath the manifest's path relative to the artifacts root
 * @param blobs app path → blob path (relative to the artifacts root)
 * @param filesTotal number of files in the release
 * @param filesUploaded number of blobs uploaded by this publish
 * @param bytesUploaded bytes uploaded by this publish
 */
public record Release(
    String app,
    String id,
    String manifestPath,
    Map<String, String> blobs,
    int filesTotal,
    int filesUploaded,
    long bytesUploaded) {
  public Release {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(manifestPath, "manifestPath");
    blobs = Map.copyOf(blobs);
  }

  /** The blob path of the app file at {@code appPath}. */
  public String blob(String appPath) {
    String b = blobs.get(appPath);
    if (b == null) {
      throw new IllegalArgumentException("release " + id + " has no file " + appPath);
    }
    return b;
  }
}
