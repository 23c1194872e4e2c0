package dev.kindling.databricks;

import dev.kindling.core.deploy.BootstrapShim;
import dev.kindling.core.deploy.RunArguments;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bootstrap arguments as a Databricks job keeps them. The job's task holds the tokens that
 * belong to the release ({@code config:artifacts_storage_path}, {@code config:app_name}, {@code
 * config:kindling.release}, then the job's default parameters); a run adds its run tag and its own
 * parameters. Python tasks take every parameter as {@code config:key=value}; JVM tasks take run
 * parameters as plain {@code key=value} (docs/internals/release-and-shim.md).
 *
 * @param root the artifacts root as the driver addresses it
 * @param app the app name
 * @param release the release id
 * @param runTag the run tag, when the tokens are a run's
 * @param parameters the run parameters, in order
 */
record ShimTokens(
    String root,
    String app,
    String release,
    Optional<String> runTag,
    Map<String, String> parameters) {

  private static final String ROOT =
      BootstrapShim.TOKEN_PREFIX + BootstrapShim.KEY_ARTIFACTS_ROOT + "=";
  private static final String APP = BootstrapShim.TOKEN_PREFIX + BootstrapShim.KEY_APP + "=";
  private static final String RELEASE =
      BootstrapShim.TOKEN_PREFIX + BootstrapShim.KEY_RELEASE + "=";
  private static final String RUN_TAG =
      BootstrapShim.TOKEN_PREFIX + BootstrapShim.KEY_RUN_TAG + "=";

  /** The tokens a job definition keeps: every bootstrap argument but the per-run ones. */
  static List<String> forJob(
      String root, String app, String release, Map<String, String> defaults, boolean jvm) {
    return forRun(root, app, release, null, defaults, jvm);
  }

  /** The tokens of one run; {@code runTag} null leaves it out (a job definition's tokens). */
  static List<String> forRun(
      String root,
      String app,
      String release,
      String runTag,
      Map<String, String> params,
      boolean jvm) {
    // BootstrapShim checks the keys and orders the tokens; a placeholder tag is dropped again
    List<String> all =
        BootstrapShim.arguments(
            root, app, release, runTag == null ? "placeholder" : runTag, params);
    List<String> out = new ArrayList<>(all.size());
    for (String t : all) {
      if (runTag == null && t.startsWith(RUN_TAG)) {
        continue;
      }
      boolean reserved =
          t.startsWith(ROOT) || t.startsWith(APP) || t.startsWith(RELEASE) || t.startsWith(RUN_TAG);
      out.add(jvm && !reserved ? t.substring(BootstrapShim.TOKEN_PREFIX.length()) : t);
    }
    return List.copyOf(out);
  }

  /** Reads tokens back; empty when the reserved ones are missing (not a Kindling task). */
  static Optional<ShimTokens> parse(Collection<String> tokens) {
    if (tokens == null) {
      return Optional.empty();
    }
    RunArguments a = RunArguments.parse(tokens);
    if (a.root().isEmpty() || a.app().isEmpty() || a.release().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ShimTokens(
            a.root().get(), a.app().get(), a.release().get(), a.runTag(), a.parameters()));
  }
}
