package dev.kindling.core.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

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

  /**
   * Completes with {@link #sha256()}: at once for a file whose hash is known, later for one that is
   * still being hashed (an app loaded with background hashing), so that a deploy can start
   * uploading the files that are hashed while the others are. Completes exceptionally as {@link
   * #sha256()} would throw.
   */
  default CompletableFuture<String> sha256Future() {
    try {
      return CompletableFuture.completedFuture(sha256());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

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
