package dev.kindling.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Hides values of keys that look like secrets ({@code fs.azure.account.key.x}, {@code sas_token},
 * {@code client_secret}) in {@code toString()} output. Only for display; the data is unchanged.
 */
final class Redaction {
  static final String MASK = "****";

  private Redaction() {}

  static boolean isSecretKey(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.contains("secret")
        || k.contains("password")
        || k.contains("passwd")
        || k.contains("token")
        || k.contains("credential")) {
      return true;
    }
    for (String segment : k.split("[._\\-]")) {
      if (segment.equals("key") || segment.equals("sas") || segment.equals("pwd")) {
        return true;
      }
    }
    return false;
  }

  /** A copy of {@code map} for display, secret-looking values masked, nested maps included. */
  static Map<String, Object> redact(Map<String, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, isSecretKey(k) && v != null ? MASK : redactValue(v)));
    return out;
  }

  private static Object redactValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> copy = new LinkedHashMap<>();
      m.forEach((k, x) -> copy.put(String.valueOf(k), x));
      return redact(copy);
    }
    if (v instanceof List<?> l) {
      List<Object> copy = new ArrayList<>(l.size());
      l.forEach(x -> copy.add(redactValue(x)));
      return copy;
    }
    return v;
  }
}
