package dev.kindling.local.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a JVM app's {@code main_class} for the local platform and always writes the run's {@code
 * result.json} (the same document the Python bootstrap shim writes), so local JVM runs report
 * SUCCEEDED or FAILED with the error and stack trace. Uses JDK classes only: it sits on the class
 * path next to Spark and the app's jars.
 *
 * <p>Arguments: {@code RESULT_JSON OUTPUT_LOG MAIN_CLASS [APP_ARGS...]}; the app arguments are
 * passed to {@code main} unchanged. Exits 0 on success, 1 when {@code main} throws.
 */
public final class KindlingJvmRunner {
  private static final int TAIL_LINES = 200;

  private static final Object LOCK = new Object();
  private static boolean written;

  private KindlingJvmRunner() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: KindlingJvmRunner RESULT_JSON OUTPUT_LOG MAIN_CLASS [ARGS...]");
      System.exit(2);
      return;
    }
    Path result = Path.of(args[0]);
    Path log = Path.of(args[1]);
    String mainClass = args[2];
    String[] appArgs = Arrays.copyOfRange(args, 3, args.length);
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    write(
                        result,
                        log,
                        appArgs,
                        start,
                        1,
                        "the app exited the JVM (System.exit) before main returned",
                        null)));
    int exit;
    String error = null;
    String trace = null;
    try {
      Method main =
          Class.forName(mainClass, true, Thread.currentThread().getContextClassLoader())
              .getMethod("main", String[].class);
      if (!Modifier.isStatic(main.getModifiers())) {
        throw new IllegalArgumentException(mainClass + ".main(String[]) is not static");
      }
      main.invoke(null, (Object) appArgs);
      exit = 0;
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      exit = 1;
      error = describe(cause);
      trace = trace(cause);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      exit = 1;
      error = "cannot run main_class " + mainClass + ": " + describe(e);
      trace = trace(e);
    }
    System.out.flush();
    System.err.flush();
    if (trace != null) {
      System.err.print(trace);
      System.err.flush();
    }
    write(result, log, appArgs, start, exit, error, trace);
    // Spark leaves non-daemon threads behind; the run ends with main
    System.exit(exit);
  }

  static void write(
      Path result,
      Path log,
      String[] appArgs,
      Instant start,
      int exit,
      String error,
      String trace) {
    synchronized (LOCK) {
      if (written) {
        return;
      }
      written = true;
    }
    StringBuilder json = new StringBuilder("{\n");
    field(json, "kindling_result", "1", false);
    field(json, "app", token(appArgs, "app_name"), true);
    field(json, "release", token(appArgs, "kindling.release"), true);
    field(json, "run_tag", token(appArgs, "kindling.run_tag"), true);
    field(json, "runtime", "jvm", true);
    field(json, "state", exit == 0 ? "SUCCEEDED" : "FAILED", true);
    field(json, "exit_code", Integer.toString(exit), false);
    field(json, "start", start.toString(), true);
    field(json, "end", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), true);
    field(json, "error", error, true);
    field(json, "traceback", trace, true);
    json.append("  \"output_tail\": [");
    List<String> tail = tail(log);
    for (int i = 0; i < tail.size(); i++) {
      json.append(i == 0 ? "" : ", ").append(quote(tail.get(i)));
    }
    json.append("]\n}\n");
    try {
      Files.createDirectories(result.toAbsolutePath().getParent());
      Path tmp = result.resolveSibling(result.getFileName() + ".tmp");
      Files.writeString(tmp, json, StandardCharsets.UTF_8);
      Files.move(tmp, result, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      System.err.println("kindling: could not write " + result + ": " + e);
    }
  }

  /** The value of a {@code config:KEY=value} token, or null. */
  static String token(String[] args, String key) {
    String prefix = "config:" + key + "=";
    for (String a : args) {
      if (a.startsWith(prefix)) {
        return a.substring(prefix.length());
      }
    }
    return null;
  }

  private static List<String> tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return new ArrayList<>(lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static void field(StringBuilder json, String name, String value, boolean string) {
    json.append("  ").append(quote(name)).append(": ");
    json.append(value == null ? "null" : string ? quote(value) : value).append(",\n");
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private static String describe(Throwable t) {
    return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
