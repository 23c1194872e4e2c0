package dev.kindling.core.app;

import dev.kindling.core.deploy.AppFiles;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The contents of {@code app.yaml}: the Python Kindling fields ({@code name}, {@code version},
 * {@code description}, {@code entry_point}, {@code dependencies}, {@code environment}, {@code
 * metadata}) plus Kindling for Java's {@code runtime}, {@code main_class}, {@code jars}, {@code
 * include} and {@code exclude}.
 *
 * @param name the app name (defaults to the directory or archive name)
 * @param version defaults to {@code 1.0.0}
 * @param description may be empty
 * @param entryPoint the Python entry point, default {@code app.py}; for JVM apps, the app jar
 * @param dependencies PyPI requirement specs
 * @param environment the environment name, default {@code default}
 * @param metadata free-form
 * @param runtime {@code python} (default) or {@code jvm}
 * @param mainClass the JVM main class, required for JVM apps
 * @param jars further jars for JVM apps (paths in the app)
 * @param include extra glob patterns of files to deploy beyond the default selection
 * @param exclude glob patterns of files never to deploy
 */
public record AppManifest(
    String name,
    String version,
    String description,
    String entryPoint,
    List<String> dependencies,
    String environment,
    Map<String, Object> metadata,
    AppFiles.Runtime runtime,
    Optional<String> mainClass,
    List<String> jars,
    List<String> include,
    List<String> exclude) {
  public AppManifest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(entryPoint, "entryPoint");
    Objects.requireNonNull(runtime, "runtime");
    version = version == null ? "1.0.0" : version;
    description = description == null ? "" : description;
    dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
    environment = environment == null ? "default" : environment;
    metadata =
        metadata == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    mainClass = mainClass == null ? Optional.empty() : mainClass;
    jars = jars == null ? List.of() : List.copyOf(jars);
    include = include == null ? List.of() : List.copyOf(include);
    exclude = exclude == null ? List.of() : List.copyOf(exclude);
  }
}
