package dev.kindling.local;

import dev.kindling.core.config.TargetConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of a {@code platform: local} target.
 *
 * @param workspaceDir where artifacts, job definitions and run state live (default {@code
 *     ~/.kindling/local}, setting {@code workspace_dir})
 * @param python the Python interpreter runs use (default {@code python3}, setting {@code python})
 */
public record LocalSettings(Path workspaceDir, String python) {
  public LocalSettings {
    Objects.requireNonNull(workspaceDir, "workspaceDir");
    Objects.requireNonNull(python, "python");
  }

  /** The default workspace: {@code ~/.kindling/local}, or {@code $KINDLING_HOME/local}. */
  public static Path defaultWorkspace() {
    String home = System.getenv("KINDLING_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home, "local");
    }
    return Path.of(System.getProperty("user.home"), ".kindling", "local");
  }

  /** The settings of {@code target}, with defaults for what it leaves out. */
  public static LocalSettings from(TargetConfig target) {
    Path ws =
        target
            .setting("workspace_dir")
            .map(LocalSettings::expandHome)
            .orElseGet(LocalSettings::defaultWorkspace);
    return new LocalSettings(ws, target.setting("python").orElse("python3"));
  }

  private static Path expandHome(String p) {
    if (p.equals("~") || p.startsWith("~/")) {
      return Path.of(System.getProperty("user.home") + p.substring(1));
    }
    return Path.of(p);
  }
}
