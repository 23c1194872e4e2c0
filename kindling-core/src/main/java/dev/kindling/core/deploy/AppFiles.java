package dev.kindling.core.deploy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a platform deploys: the app's files (the bootstrap shim included for Python apps), how to
 * start it, and a progress listener. Built by {@link DataAppDeployer} from a validated app.
 *
 * @param appName the app's name; safe as a storage path segment
 * @param version the app's version
 * @param runtime how the app runs
 * @param files every file to deploy, app files and shim; paths are unique
 * @param entryPoint the Python entry point (path inside the app), for Python apps
 * @param mainClass the main class, for JVM apps
 * @param appJar the path of the app's jar inside the app, for JVM apps
 * @param jars further jars (paths inside the app) on the JVM app's class path
 * @param launcher the path of the file the platform executes: the shim for Python apps, the app jar
 *     for JVM apps
 * @param metadata free-form metadata from {@code app.yaml}, as strings
 * @param listener progress callbacks
 */
public record AppFiles(
    String appName,
    String version,
    Runtime runtime,
    List<DeployFile> files,
    Optional<String> entryPoint,
    Optional<String> mainClass,
    Optional<String> appJar,
    List<String> jars,
    String launcher,
    Map<String, String> metadata,
    DeployListener listener) {

  /** How an app runs. */
  public enum Runtime {
    PYTHON,
    JVM
  }

  public AppFiles {
    Objects.requireNonNull(appName, "appName");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(launcher, "launcher");
    version = version == null ? "" : version;
    files = List.copyOf(files);
    entryPoint = entryPoint == null ? Optional.empty() : entryPoint;
    mainClass = mainClass == null ? Optional.empty() : mainClass;
    appJar = appJar == null ? Optional.empty() : appJar;
    jars = jars == null ? List.of() : List.copyOf(jars);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    listener = listener == null ? DeployListener.NONE : listener;
  }

  /** The file at {@code path}, if the app has it. */
  public Optional<DeployFile> file(String path) {
    return files.stream().filter(f -> f.path().equals(path)).findFirst();
  }

  /** Total bytes of all files. */
  public long totalBytes() {
    return files.stream().mapToLong(DeployFile::size).sum();
  }

  /** A copy with another listener. */
  public AppFiles withListener(DeployListener l) {
    return new AppFiles(
        appName,
        version,
        runtime,
        files,
        entryPoint,
        mainClass,
        appJar,
        jars,
        launcher,
        metadata,
        l);
  }
}
