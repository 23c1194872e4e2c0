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

  /** The file name: the last path segment. */
  default String fileName() {
    String p = path();
    return p.substring(p.lastIndexOf('/') + 1);
  }
}
