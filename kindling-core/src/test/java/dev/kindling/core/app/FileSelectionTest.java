package dev.kindling.core.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileSelectionTest {

  @ParameterizedTest(name = "{0} on {1}/{2} -> {3}")
  @CsvSource({
    // the original rule (section 3.2)
    "app.py,                        fabric, dev, true",
    "pkg/util.py,                   fabric, dev, true",
    "MAIN.PY,                       fabric, dev, true",
    "app.yaml,                      fabric, dev, true",
    "config/extra.yml,              fabric, dev, true",
    "queries/q1.SQL,                fabric, dev, true",
    "requirements.txt,              fabric, dev, true",
    "lake-reqs.txt,                 fabric, dev, true",
    "sub/requirements.txt,          fabric, dev, true",
    "notes.txt,                     fabric, dev, false",
    "README.md,                     fabric, dev, false",
    "data.json,                     fabric, dev, false",
    "data.csv,                      fabric, dev, false",
    "Makefile,                      fabric, dev, false",
    "settings.yaml,                 fabric, dev, true",
    "settings.yml,                  fabric, dev, true",
    "settings.local.yaml,           fabric, dev, false",
    "settings.local.yml,            fabric, dev, false",
    "conf/settings.local.yaml,      fabric, dev, false",
    "settings.local.yaml,           local,  local, false",
    "settings.fabric.yaml,          fabric, dev, true",
    "settings.fabric.yml,           fabric, dev, true",
    "settings.dev.yaml,             fabric, dev, true",
    "settings.databricks.yaml,      fabric, dev, false",
    "settings.prod.yaml,            fabric, dev, false",
    "settings.Fabric.yaml,          fabric, dev, false",
    "app.yml,                       fabric, dev, true",
    "app.fabric.yaml,               fabric, dev, false",
    "app.dev.yml,                   fabric, dev, false",
    "sub/app.fabric.yaml,           fabric, dev, false",
    // Kindling for Java additions
    "dist/helper-1.0-py3-none-any.whl, fabric, dev, true",
    "lib/dep.jar,                   fabric, dev, true",
    "lib/DEP.JAR,                   fabric, dev, true",
    // always skipped
    "__pycache__/app.cpython-311.pyc, fabric, dev, false",
    "pkg/__pycache__/mod.py,        fabric, dev, false",
    ".git/hooks/pre-commit.py,      fabric, dev, false",
    ".venv/lib/site.py,             fabric, dev, false",
    "venv/lib/site.py,              fabric, dev, false",
    "target/classes/x.jar,          fabric, dev, false",
    ".idea/workspace.yaml,          fabric, dev, false",
    "pkg/.hidden/mod.py,            fabric, dev, false",
    "compiled.pyc,                  fabric, dev, false",
    "kda-manifest.json,             fabric, dev, false",
    // a hidden file is not a hidden directory
    ".hidden.py,                    fabric, dev, true",
  })
  void theDefaultRule(String path, String platform, String env, boolean expected) {
    assertThat(FileSelection.isDeployable(path, platform, env)).isEqualTo(expected);
    assertThat(FileSelection.defaults().selects(path, platform, env)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "data/a.csv,            true",
    "data/sub/b.csv,        true",
    "top.csv,               true",
    "nested/data/c.csv,     false",
    "README.md,             true",
    "app.py,                true",
    "tests/test_app.py,     false",
    "pkg/tests/test_x.py,   true",
    "secret.yaml,           false",
    "conf/secret.yaml,      true",
    "settings.local.yaml,   true",
    "build/out.jar,         false",
    ".git/x.csv,            false",
    "kda-manifest.json,     false",
  })
  void globsAddAndRemoveFiles(String path, boolean expected) {
    FileSelection s =
        FileSelection.of(
            List.of("data/**", "*.csv", "README.md", "settings.local.yaml", "**/*.json"),
            List.of("tests/**", "secret.yaml", "build/**"));
    assertThat(s.selects(path, "fabric", "dev")).isEqualTo(expected);
  }

  @Test
  void doubleStarSlashNeedsADirectory() {
    FileSelection nested = FileSelection.of(List.of("**/*.csv"), List.of());
    assertThat(nested.selects("a/x.csv", "local", "default")).isTrue();
    assertThat(nested.selects("a/b/x.csv", "local", "default")).isTrue();
    assertThat(nested.selects("x.csv", "local", "default")).isFalse();

    FileSelection anyDepth = FileSelection.of(List.of("{*.csv,**/*.csv}"), List.of());
    assertThat(anyDepth.selects("x.csv", "local", "default")).isTrue();
    assertThat(anyDepth.selects("a/b/x.csv", "local", "default")).isTrue();
  }

  @Test
  void excludeWinsOverIncludeAndTheDefaultRule() {
    FileSelection s = FileSelection.of(List.of("data/**"), List.of("data/private/**", "**.py"));
    assertThat(s.selects("data/private/a.csv", "local", "default")).isFalse();
    assertThat(s.selects("data/a.csv", "local", "default")).isTrue();
    assertThat(s.selects("app.py", "local", "default")).isFalse();
    assertThat(s.selects("pkg/mod.py", "local", "default")).isFalse();
    assertThat(s.selects("app.yaml", "local", "default")).isTrue();
  }

  @Test
  void aBadGlobIsRejected() {
    assertThatThrownBy(() -> FileSelection.of(List.of("[a-"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[a-");
  }
}
