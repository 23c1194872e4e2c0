package dev.kindling.core.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

final class TestFiles {
  private TestFiles() {}

  /** Writes {@code content} to {@code root/relative}, creating directories. */
  static Path write(Path root, String relative, String content) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  static String sha256(String content) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A small valid Python app. */
  static Path pythonApp(Path root) throws IOException {
    write(root, "app.yaml", "name: hello\nversion: 1.2.0\nentry_point: app.py\n");
    write(root, "app.py", "print('hello')\n");
    write(root, "pkg/util.py", "X = 1\n");
    write(root, "settings.yaml", "a: 1\n");
    write(root, "README.md", "# hello\n");
    return root;
  }
}
