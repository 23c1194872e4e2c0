package dev.kindling.core.deploy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a run's or a job definition's argument tokens say, read back: the artifacts root, app,
 * release and run tag of the bootstrap protocol, and every other {@code key=value} as a parameter.
 * Accepts both forms {@link BootstrapShim#arguments} and {@link BootstrapShim#jvmArguments} write
 * ({@code config:key=value} and {@code key=value}); tokens without {@code =} are skipped. The
 * protocol keys keep their first value, parameters their last (per-run over job defaults).
 *
 * @param root the {@code artifacts_storage_path}, if given
 * @param app the {@code app_name}, if given
 * @param release the {@code kindling.release}, if given
 * @param runTag the {@code kindling.run_tag}, if given
 * @param parameters every other key, in order
 */
public record RunArguments(
    Optional<String> root,
    Optional<String> app,
    Optional<String> release,
    Optional<String> runTag,
    Map<String, String> parameters) {
  public RunArguments {
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /** Reads argument tokens (each one argument, surrounding quotes stripped). */
  public static RunArguments parse(Iterable<String> tokens) {
    String root = null;
    String app = null;
    String release = null;
    String runTag = null;
    Map<String, String> params = new LinkedHashMap<>();
    for (String raw : tokens) {
      if (raw == null) {
        continue;
      }
      String t = unquote(raw.trim());
      String kv =
          t.startsWith(BootstrapShim.TOKEN_PREFIX)
              ? t.substring(BootstrapShim.TOKEN_PREFIX.length())
              : t;
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String k = kv.substring(0, eq);
      String v = kv.substring(eq + 1);
      switch (k) {
        case BootstrapShim.KEY_ARTIFACTS_ROOT -> root = root == null ? v : root;
        case BootstrapShim.KEY_APP -> app = app == null ? v : app;
        case BootstrapShim.KEY_RELEASE -> release = release == null ? v : release;
        case BootstrapShim.KEY_RUN_TAG -> runTag = runTag == null ? v : runTag;
        default -> params.put(k, v);
      }
    }
    return new RunArguments(
        Optional.ofNullable(root),
        Optional.ofNullable(app),
        Optional.ofNullable(release),
        Optional.ofNullable(runTag),
        params);
  }

  /** Reads a command line of tokens separated by whitespace (Fabric's commandLineArguments). */
  public static RunArguments parse(String commandLine) {
    String trimmed = commandLine == null ? "" : commandLine.trim();
    return parse(
        trimmed.isEmpty() ? java.util.List.<String>of() : java.util.List.of(trimmed.split("\\s+")));
  }

  private static String unquote(String t) {
    if (t.length() >= 2
        && t.charAt(0) == t.charAt(t.length() - 1)
        && (t.charAt(0) == '\'' || t.charAt(0) == '"')) {
      return t.substring(1, t.length() - 1);
    }
    return t;
  }
}
