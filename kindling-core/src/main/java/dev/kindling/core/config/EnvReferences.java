package dev.kindling.core.config;

import dev.kindling.core.error.Problems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code ${env:NAME}} and {@code ${env:NAME:-default}} in string values. The default is used when
 * the variable is unset or empty. Other {@code ${...}} forms (Spark's own) are left alone. There is
 * no escape; a default cannot contain {@code "}"}.
 */
final class EnvReferences {
  private static final String START = "${env:";
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private EnvReferences() {}

  /** Whether {@code raw} refers to an environment variable. */
  static boolean hasReference(String raw) {
    return raw.contains(START);
  }

  /**
   * {@code raw} with every reference replaced, or empty after adding a problem at {@code at}. The
   * problem names the variables and {@code keyPath}, never the value.
   */
  static Optional<String> resolve(
      String raw, Map<String, String> env, String at, String keyPath, Problems problems) {
    StringBuilder out = new StringBuilder(raw.length());
    List<String> missing = new ArrayList<>();
    int i = 0;
    while (true) {
      int start = raw.indexOf(START, i);
      if (start < 0) {
        out.append(raw, i, raw.length());
        break;
      }
      out.append(raw, i, start);
      int end = raw.indexOf('}', start);
      if (end < 0) {
        return malformed(at, keyPath, problems);
      }
      String inner = raw.substring(start + START.length(), end);
      int sep = inner.indexOf(":-");
      String name = sep < 0 ? inner : inner.substring(0, sep);
      if (!NAME.matcher(name).matches()) {
        return malformed(at, keyPath, problems);
      }
      String value = env.get(name);
      if (sep >= 0 && (value == null || value.isEmpty())) {
        value = inner.substring(sep + 2);
      }
      if (value == null) {
        if (!missing.contains(name)) {
          missing.add(name);
        }
      } else {
        out.append(value);
      }
      i = end + 1;
    }
    if (!missing.isEmpty()) {
      String names = String.join(" and ", missing);
      problems.add(
          at,
          (missing.size() == 1 ? "environment variable " : "environment variables ")
              + names
              + (missing.size() == 1 ? " is not set" : " are not set")
              + " (used by `"
              + keyPath
              + "`)",
          "set " + names + " or remove " + keyPath);
      return Optional.empty();
    }
    return Optional.of(out.toString());
  }

  private static Optional<String> malformed(String at, String keyPath, Problems problems) {
    problems.add(
        at,
        "`" + keyPath + "` has a malformed ${env:...} reference",
        "write ${env:NAME} or ${env:NAME:-default}, NAME made of letters, digits and _");
    return Optional.empty();
  }
}
