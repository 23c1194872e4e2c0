package dev.kindling.testkit;

import dev.kindling.core.deploy.DeployFile;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A deploy file held in memory, for tests. */
record BytesFile(String path, byte[] bytes, String sha256) implements DeployFile {
  static BytesFile of(String path, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return new BytesFile(path, b, sha(b));
  }

  static String sha(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long size() {
    return bytes.length;
  }

  @Override
  public InputStream open() {
    return new ByteArrayInputStream(bytes);
  }
}
