package dev.kindling.core.deploy;

import java.io.IOException;
import java.io.InputStream;

/**
 * One file to deploy: its path in the app, its size and SHA-256, and a way to stream its bytes.
 * Never holds the bytes of an app file in memory.
 */
public interface DeployFile {
  /** The path inside the app, with {@code /} separators, e.g. {@code pkg/util.py}. */
  String path();

  /** The size in bytes. */
  long size();

  /** The SHA-256 of the content, lower-case hex. */
  String sha256();

  /** Opens a fresh stream of the content; the caller closes it. */
  InputStream open() throws IOException;

  /**
   * True when it is known, without reading the content, that it still is what {@link #sha256()}
   * describes (e.g. a local file whose size, modification and change times and identity are those
   * it had when it was hashed, and that had settled by then). An upload then streams the bytes
   * without hashing them again and asks once more afterwards; when false (the default: unknown),
   * the bytes are hashed while they are uploaded and checked against {@link #sha256()}.
   */
  default boolean provablyUnchanged() {
    return false;
  }

  /** The file name: the last path segment. */
  default String fileName() {
    String p = path();
    return p.substring(p.lastIndexOf('/') + 1);
  }
}
