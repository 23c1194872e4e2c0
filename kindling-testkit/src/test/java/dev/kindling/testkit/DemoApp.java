package dev.kindling.testkit;

import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.DeployFile;
import java.util.List;
import java.util.Optional;

/** The Python app {@code demo} 1.0.0 with entry point {@code app.py}, for publisher tests. */
final class DemoApp {
  private DemoApp() {}

  static AppFiles of(List<DeployFile> files) {
    return new AppFiles(
        "demo",
        "1.0.0",
        AppFiles.Runtime.PYTHON,
        files,
        Optional.of("app.py"),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        "app.py",
        null,
        null);
  }
}
