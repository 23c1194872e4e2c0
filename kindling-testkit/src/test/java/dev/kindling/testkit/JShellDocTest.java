package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.Test;

/** Runs the snippet of {@code docs/jshell.md} through the JShell API, so the doc stays true. */
class JShellDocTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theDocumentedSnippetDeploysAndRunsOnTheFake() throws Exception {
    String doc = Files.readString(REPO.resolve("docs/jshell.md"));
    int start = doc.indexOf("```jshell\n") + "```jshell\n".length();
    String block = doc.substring(start, doc.indexOf("```", start));
    assertThat(block.lines().count()).as("the snippet is under 10 lines").isLessThan(10);

    // "local": snippets run in this JVM, with the test class path added below
    try (JShell shell = JShell.builder().executionEngine("local").build()) {
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        shell.addToClasspath(entry);
      }
      // Paths in the snippet are relative to the repository root, where a user starts jshell.
      String source =
          block.replace(
              "Path.of(\"examples/",
              "Path.of(\"" + REPO.toString().replace('\\', '/') + "/examples/");
      SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
      String remaining = source;
      while (!remaining.isBlank()) {
        SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
        for (SnippetEvent e : shell.eval(info.source())) {
          assertThat(e.status())
              .as(
                  "%s%s",
                  e.snippet().source(),
                  shell.diagnostics(e.snippet()).map(d -> "\n" + d.getMessage(null)).toList())
              .isIn(Snippet.Status.VALID);
          assertThat(e.exception()).as(e.snippet().source()).isNull();
        }
        remaining = info.remaining();
      }
      assertThat(shell.eval("status.state().name()").get(0).value()).isEqualTo("\"SUCCEEDED\"");
      assertThat(shell.eval("status.toString()").get(0).value()).contains("SUCCEEDED");
      assertThat(shell.eval("run.logs().output()").get(0).value()).contains("name=JShell");
    }
  }
}
