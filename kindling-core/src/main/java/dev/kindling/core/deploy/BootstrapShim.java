package dev.kindling.core.deploy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The bootstrap shim: the Python file every platform runs as the driver's main file for a Python
 * app. It reads the release manifest, copies and verifies the release's files, installs wheels,
 * runs the app's entry point and writes the run's {@code result.json}.
 *
 * <p>The contract between this class, the platforms and the shim is {@code
 * docs/internals/release-and-shim.md}. The shim is a resource of this module ({@code
 * dev/kindling/core/shim/kindling_bootstrap.py}) and is deployed unchanged as a file of every
 * Python release.
 */
public final class BootstrapShim {
  /** The shim's file name, as deployed in a release. */
  public static final String FILE_NAME = "kindling_bootstrap.py";

  /** The classpath resource holding the shim. */
  static final String RESOURCE = "/dev/kindling/core/shim/kindling_bootstrap.py";

  /** Argument key: the artifacts root as the driver addresses it. */
  public static final String KEY_ARTIFACTS_ROOT = "artifacts_storage_path";

  /** Argument key: the app name. */
  public static final String KEY_APP = "app_name";

  /** Argument key: the release id. */
  public static final String KEY_RELEASE = "kindling.release";

  /** Argument key: the run tag, naming the run's result folder. */
  public static final String KEY_RUN_TAG = "kindling.run_tag";

  /** The prefix of every shim argument. */
  public static final String TOKEN_PREFIX = "config:";

  private static final Set<String> RESERVED_KEYS =
      Set.of(KEY_ARTIFACTS_ROOT, KEY_APP, KEY_RELEASE, KEY_RUN_TAG);

  private static volatile ShimFile shim;

  private BootstrapShim() {}

  /**
   * The shim as a file to deploy, at path {@link #FILE_NAME}. The content is loaded once and
   * shared; each call to {@link DeployFile#open()} returns a fresh stream.
   *
   * @throws UncheckedIOException if the resource is missing from the class path (a broken build)
   */
  public static DeployFile generate() {
    return shim();
  }

  /**
   * A short hash of the shim's content (the first 12 hex digits of its SHA-256), for logs and
   * diagnostics. The shim prints the same value in its banner.
   */
  public static String version() {
    return shim().sha256().substring(0, 12);
  }

  /**
   * The shim's arguments for one run, every one a {@code config:key=value} token: the artifacts
   * root, the app, the release and the run tag, then one token per run parameter in {@code params}'
   * iteration order (pass a {@link java.util.LinkedHashMap} with job defaults first, then per-run
   * parameters). Values are passed verbatim.
   *
   * @param artifactsRoot the artifacts root as the driver addresses it
   * @param app the app name
   * @param release the release id
   * @param runTag the run tag
   * @param params run parameters; never secrets, since arguments end up in platform logs
   * @return the argument tokens, unmodifiable
   * @throws IllegalArgumentException if a parameter key is empty, contains {@code =} or whitespace,
   *     or is one of the shim's own keys, or a value is null; the message names the key
   * @throws NullPointerException if any other argument is null
   */
  public static List<String> arguments(
      String artifactsRoot, String app, String release, String runTag, Map<String, String> params) {
    Objects.requireNonNull(artifactsRoot, "artifactsRoot");
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(runTag, "runTag");
    Objects.requireNonNull(params, "params");
    List<String> out = new ArrayList<>(4 + params.size());
    out.add(token(KEY_ARTIFACTS_ROOT, artifactsRoot));
    out.add(token(KEY_APP, app));
    out.add(token(KEY_RELEASE, release));
    out.add(token(KEY_RUN_TAG, runTag));
    for (Map.Entry<String, String> e : params.entrySet()) {
      String key = e.getKey();
      if (key == null || key.isEmpty()) {
        throw new IllegalArgumentException("run parameter key must not be empty");
      }
      if (key.indexOf('=') >= 0 || key.codePoints().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            "run parameter key '" + key + "' must not contain '=' or whitespace");
      }
      if (RESERVED_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "run parameter key '" + key + "' is reserved for the bootstrap shim");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("run parameter '" + key + "' has no value");
      }
      out.add(token(key, e.getValue()));
    }
    return List.copyOf(out);
  }

  /**
   * {@code arguments} without the run tag token: what a job definition keeps for the runs the
   * platform starts by itself (a schedule, the portal), so that the shim gives each such run a tag
   * of its own instead of all sharing one result folder.
   */
  public static List<String> withoutRunTag(List<String> arguments) {
    String tag = token(KEY_RUN_TAG, "");
    return arguments.stream().filter(a -> !a.startsWith(tag)).toList();
  }

  /**
   * A JVM app's {@code main(String[])} arguments for one run: the same four {@code config:} tokens
   * as {@link #arguments}, then one {@code key=value} token per run parameter (without the {@code
   * config:} prefix), checked the same way. See {@code docs/internals/release-and-shim.md}, "JVM
   * runs".
   */
  public static List<String> jvmArguments(
      String artifactsRoot, String app, String release, String runTag, Map<String, String> params) {
    List<String> all = arguments(artifactsRoot, app, release, runTag, params);
    List<String> out = new ArrayList<>(all.subList(0, 4));
    all.subList(4, all.size()).forEach(t -> out.add(t.substring(TOKEN_PREFIX.length())));
    return List.copyOf(out);
  }

  private static String token(String key, String value) {
    return TOKEN_PREFIX + key + "=" + value;
  }

  private static ShimFile shim() {
    ShimFile f = shim;
    if (f == null) {
      synchronized (BootstrapShim.class) {
        f = shim;
        if (f == null) {
          f = load();
          shim = f;
        }
      }
    }
    return f;
  }

  private static ShimFile load() {
    try (InputStream in = BootstrapShim.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new UncheckedIOException(
            new IOException("bootstrap shim resource missing: " + RESOURCE));
      }
      byte[] bytes = in.readAllBytes();
      return new ShimFile(bytes, HexFormat.of().formatHex(sha256(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bootstrap shim resource " + RESOURCE, e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 not available", e);
    }
  }

  /** The shim's content; small, so held in memory (unlike app files). */
  private static final class ShimFile implements DeployFile {
    private final byte[] bytes;
    private final String sha256;

    ShimFile(byte[] bytes, String sha256) {
      this.bytes = bytes;
      this.sha256 = sha256;
    }

    @Override
    public String path() {
      return FILE_NAME;
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public String sha256() {
      return sha256;
    }

    @Override
    public InputStream open() {
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public String toString() {
      return "BootstrapShim[" + FILE_NAME + ", " + bytes.length + " bytes, " + sha256 + "]";
    }
  }
}
