package dev.kindling.databricks;

import com.databricks.sdk.service.compute.Library;
import com.databricks.sdk.service.compute.MavenLibrary;
import com.databricks.sdk.service.compute.PythonPyPiLibrary;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code libraries} job key on Databricks: each entry is one cluster library, written as
 *
 * <ul>
 *   <li>a path or URI ending in {@code .whl}, {@code .jar} or {@code .egg} ({@code /Volumes/...},
 *       {@code /Workspace/...}, {@code dbfs:/...}, {@code abfss://...});
 *   <li>a requirements file ({@code /Volumes/.../requirements.txt});
 *   <li>{@code pypi:<requirement>} (e.g. {@code pypi:requests==2.32.3});
 *   <li>{@code maven:<group>:<artifact>:<version>}.
 * </ul>
 */
final class Libraries {
  private Libraries() {}

  /** What a valid entry looks like, for error messages. */
  static final String EXPECTED =
      "a .whl, .jar or .egg path (/Volumes/..., /Workspace/..., dbfs:/..., abfss://...), a"
          + " requirements .txt path, pypi:<requirement> or maven:<group>:<artifact>:<version>";

  static Optional<Library> parse(String entry) {
    if (entry == null || entry.isBlank() || entry.strip().length() != entry.length()) {
      return Optional.empty();
    }
    String lower = entry.toLowerCase(Locale.ROOT);
    if (lower.startsWith("pypi:")) {
      String req = entry.substring(5);
      return req.isBlank()
          ? Optional.empty()
          : Optional.of(new Library().setPypi(new PythonPyPiLibrary().setPackage(req)));
    }
    if (lower.startsWith("maven:")) {
      String coords = entry.substring(6);
      return coords.split(":", -1).length >= 3 && !coords.contains(" ")
          ? Optional.of(new Library().setMaven(new MavenLibrary().setCoordinates(coords)))
          : Optional.empty();
    }
    if (!isAbsolute(entry)) {
      return Optional.empty();
    }
    if (lower.endsWith(".whl")) {
      return Optional.of(new Library().setWhl(entry));
    }
    if (lower.endsWith(".jar")) {
      return Optional.of(new Library().setJar(entry));
    }
    if (lower.endsWith(".egg")) {
      return Optional.of(new Library().setEgg(entry));
    }
    if (lower.endsWith(".txt")) {
      return Optional.of(new Library().setRequirements(entry));
    }
    return Optional.empty();
  }

  private static boolean isAbsolute(String path) {
    return (path.startsWith("/") && !path.startsWith("//"))
        || path.matches("[A-Za-z][A-Za-z0-9+.-]*:/.*");
  }
}
