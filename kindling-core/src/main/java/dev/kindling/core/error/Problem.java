package dev.kindling.core.error;

import java.util.Objects;

/**
 * One validation problem: where it is (a file, an archive entry, a config key), what is wrong, and
 * how to fix it.
 *
 * @param location the file, entry or key the problem is about, e.g. {@code app.yaml: entry_point}
 * @param message what is wrong
 * @param fix what to do about it; may be empty
 */
public record Problem(String location, String message, String fix) {
  public Problem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
    fix = fix == null ? "" : fix;
  }

  public static Problem of(String location, String message) {
    return new Problem(location, message, "");
  }

  public static Problem of(String location, String message, String fix) {
    return new Problem(location, message, fix);
  }

  @Override
  public String toString() {
    return location + ": " + message + (fix.isEmpty() ? "" : " (" + fix + ")");
  }
}
