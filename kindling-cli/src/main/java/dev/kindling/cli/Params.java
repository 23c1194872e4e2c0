package dev.kindling.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** {@code --param k=v} values, in the order given. */
final class Params {
  private Params() {}

  static Map<String, String> parse(List<String> raw, CommandLine cmd) {
    Map<String, String> m = new LinkedHashMap<>();
    if (raw == null) {
      return m;
    }
    for (String p : raw) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new CommandLine.ParameterException(
            cmd, "--param '" + p + "' must be KEY=VALUE with a non-empty KEY");
      }
      m.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return m;
  }
}
