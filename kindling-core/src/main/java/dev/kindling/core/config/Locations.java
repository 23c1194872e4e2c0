package dev.kindling.core.config;

import java.util.regex.Pattern;

/**
 * Builds problem locations from a location prefix and a key path.
 *
 * <p>A location names where a config came from: {@code job config}, {@code kindling.yaml} or {@code
 * kindling.yaml: targets.dev}. {@link #at} appends a key path: after {@code ": "} when the location
 * does not yet name a key ({@code job config: executor_memory}), after {@code "."} when it does
 * ({@code kindling.yaml: targets.dev.executor_memory}).
 */
final class Locations {
  /** What a validator's own location looks like when it is a bare key path. */
  private static final Pattern KEY_PATH = Pattern.compile("[A-Za-z0-9_.\\[\\]-]+");

  private Locations() {}

  static String at(String location, String keyPath) {
    if (location == null || location.isEmpty()) {
      return keyPath;
    }
    if (location.endsWith(".") || location.endsWith(": ")) {
      return location + keyPath;
    }
    return location + (location.contains(": ") ? "." : ": ") + keyPath;
  }

  /**
   * A location reported relative to a config (a bare key path such as {@code lakehouse_id}) made
   * absolute under {@code location}; a location that is already absolute is kept.
   */
  static String relocate(String location, String reported) {
    if (location == null || location.isEmpty() || !KEY_PATH.matcher(reported).matches()) {
      return reported;
    }
    return at(location, reported);
  }
}
