package dev.kindling.cli;

import dev.kindling.core.error.Problems;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "init",
    description =
        "Create a new app from a template (python, pyspark, java-spark) with app.yaml, a test and"
            + " a kindling.yaml with local and emulator targets.")
final class InitCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TEMPLATE",
      description = "python, pyspark or java-spark (see --list).")
  String template;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "DIR",
      description = "Directory to create (must be missing or empty, unless --force).")
  Path dir;

  @Option(names = "--list", description = "List the templates and exit.")
  boolean list;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "App name (default: the directory's name).")
  String name;

  @Option(
      names = "--package",
      paramLabel = "PACKAGE",
      description = "Java package of java-spark (default: com.example.<name without - and _>).")
  String javaPackage;

  @Option(
      names = "--group-id",
      paramLabel = "GROUP",
      description = "Maven group id of java-spark (default: com.example).")
  String groupId;

  @Option(names = "--force", description = "Write into a non-empty directory, replacing files.")
  boolean force;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (one JSON object on stdout).")
  Output output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      return list(out);
    }
    if (template == null || dir == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "give a TEMPLATE and a DIR, e.g. `kindling init python my-app` (templates: "
              + String.join(", ", Templates.names())
              + ")");
    }
    Path target = dir.toAbsolutePath().normalize();
    String appName =
        name != null ? name : target.getFileName() == null ? "" : target.getFileName().toString();

    // every check before anything is written; all problems at once
    Problems problems = new Problems();
    Templates.Template t = Templates.named(template).orElse(null);
    if (t == null) {
      problems.add(
          "TEMPLATE '" + template + "'",
          "is not a template",
          "use one of " + String.join(", ", Templates.names()) + " (kindling init --list)");
    }
    String nameLabel =
        name != null
            ? "--name '" + name + "'"
            : "app name '" + appName + "' (the DIR's name; set another with --name)";
    boolean java = t != null && t.name().startsWith("java");
    boolean python = t != null && !java;
    if (python && (javaPackage != null || groupId != null)) {
      problems.add(
          javaPackage != null ? "--package" : "--group-id",
          "applies to the java-spark template only, not to " + t.name(),
          "leave it out, or use the java-spark template");
    }
    Map<String, String> values =
        Templates.values(appName, nameLabel, javaPackage, groupId, python, java, problems);
    checkDirectory(target, problems);
    problems.throwIfAny();

    Map<String, byte[]> files = Templates.render(t, values);
    if (force && Files.isDirectory(target)) {
      Problems clashes = new Problems();
      for (String rel : files.keySet()) {
        if (Files.isDirectory(target.resolve(rel))) {
          clashes.add(
              target.resolve(rel).toString(),
              "is a directory where the template writes a file",
              "move it away or choose another DIR");
        }
      }
      clashes.throwIfAny();
    }
    write(target, files);

    if (output == Output.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("template", t.name());
      json.put("name", values.get("name"));
      json.put("dir", target.toString());
      json.put("files", new ArrayList<>(files.keySet()));
      Output.printJson(out, json);
    } else {
      out.println(
          "created "
              + t.name()
              + " app "
              + values.get("name")
              + " in "
              + target
              + " ("
              + files.size()
              + " files)");
      out.println("next:");
      out.println("  cd " + dir);
      if (t.name().equals("java-spark")) {
        out.println("  mvn verify                  # builds lib/" + values.get("name") + ".jar");
      } else {
        out.println("  python3 -m unittest         # the app's tests");
      }
      out.println("  kindling validate . -t local");
      out.println("  kindling deploy . -t local --run --wait");
      out.flush();
    }
    return ExitCodes.OK;
  }

  private int list(PrintWriter out) {
    if (output == Output.json) {
      List<Map<String, Object>> ts = new ArrayList<>();
      for (Templates.Template t : Templates.all()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("description", t.description());
        ts.add(m);
      }
      Output.printJson(out, Map.of("templates", ts));
    } else {
      for (Templates.Template t : Templates.all()) {
        out.printf("%-12s %s%n", t.name(), t.description());
      }
      out.flush();
    }
    return ExitCodes.OK;
  }

  private void checkDirectory(Path target, Problems problems) {
    if (Files.exists(target) && !Files.isDirectory(target)) {
      problems.add(
          "DIR '" + dir + "'", "is a file, not a directory", "choose a new directory name");
      return;
    }
    if (Files.isDirectory(target) && !force) {
      try (Stream<Path> entries = Files.list(target)) {
        long n = entries.count();
        if (n > 0) {
          problems.add(
              "DIR '" + dir + "'",
              "is not empty (" + n + (n == 1 ? " entry" : " entries") + ")",
              "choose a new or empty directory, or pass --force to write over its files");
        }
      } catch (IOException e) {
        problems.add("DIR '" + dir + "'", "cannot be read: " + e.getMessage(), "check it");
      }
    }
  }

  /**
   * Writes the files. A missing or empty {@code target} is filled in a temporary sibling directory
   * that is then moved into place, so an error leaves nothing behind; with {@code --force} into a
   * non-empty directory each file is written to a temporary name and moved over the old one.
   */
  private void write(Path target, Map<String, byte[]> files) {
    try {
      Path parent = target.getParent();
      Files.createDirectories(parent);
      boolean existing = Files.isDirectory(target);
      if (existing && !isEmpty(target)) {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
          Path p = target.resolve(f.getKey());
          Files.createDirectories(p.getParent());
          Path tmp = p.resolveSibling("." + p.getFileName() + ".kindling-init-" + suffix());
          try {
            Files.write(tmp, f.getValue());
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
          } finally {
            Files.deleteIfExists(tmp);
          }
        }
        return;
      }
      // created like any directory (the umask applies), unlike createTempDirectory's 0700
      Path tmp =
          Files.createDirectory(
              parent.resolve("." + target.getFileName() + ".kindling-init-" + suffix()));
      try {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
          Path p = tmp.resolve(f.getKey());
          Files.createDirectories(p.getParent());
          Files.write(p, f.getValue());
        }
        if (existing) {
          Files.delete(target); // empty, checked above
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        deleteTree(tmp);
        throw e;
      }
    } catch (DirectoryNotEmptyException e) {
      throw new UncheckedIOException(
          "cannot create " + target + ": it was filled while the template was written", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + target + ": " + e.getMessage(), e);
    }
  }

  private static String suffix() {
    return Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // best effort: the temporary directory is hidden and named after the command
    }
  }
}
