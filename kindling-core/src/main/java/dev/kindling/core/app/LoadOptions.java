package dev.kindling.core.app;

import java.util.Objects;

/**
 * How {@link DataApp#load(java.nio.file.Path, LoadOptions)} selects and reads an app's files.
 *
 * @param platform the target platform id; selects {@code settings.<platform>.yaml}. {@code null}
 *     means {@code local}
 * @param environment the environment; selects {@code settings.<environment>.yaml}. {@code null}
 *     means the {@code KINDLING_ENV} environment variable, else {@code default}
 * @param limits the limits for reading a {@code .kda} archive; {@code null} means {@link
 *     ArchiveLimits#defaults()}
 * @param hashCache remembers file hashes between loads of a directory; {@code null} means {@link
 *     HashCache#defaultCache()}
 * @param backgroundHashing whether files the hash cache does not know are hashed on background
 *     threads after {@code load} returns (see {@link #withBackgroundHashing(boolean)})
 */
public record LoadOptions(
    String platform,
    String environment,
    ArchiveLimits limits,
    HashCache hashCache,
    boolean backgroundHashing) {

  /** The platform used when none is given. */
  public static final String DEFAULT_PLATFORM = "local";

  /** The environment used when none is given and {@code KINDLING_ENV} is not set. */
  public static final String DEFAULT_ENVIRONMENT = "default";

  public LoadOptions {
    platform = orDefault(platform, DEFAULT_PLATFORM);
    environment = orDefault(environment, environmentFromEnv());
    limits = limits == null ? ArchiveLimits.defaults() : limits;
    hashCache = hashCache == null ? HashCache.defaultCache() : hashCache;
  }

  /** Options that hash every file before {@code load} returns. */
  public LoadOptions(
      String platform, String environment, ArchiveLimits limits, HashCache hashCache) {
    this(platform, environment, limits, hashCache, false);
  }

  /** Options with the default hash cache. */
  public LoadOptions(String platform, String environment, ArchiveLimits limits) {
    this(platform, environment, limits, null);
  }

  /** Platform {@code local}, the environment from {@code KINDLING_ENV}, default limits. */
  public static LoadOptions defaults() {
    return new LoadOptions(null, null, null, null, false);
  }

  /** A copy for another platform. */
  public LoadOptions withPlatform(String value) {
    return new LoadOptions(value, environment, limits, hashCache, backgroundHashing);
  }

  /** A copy for another environment. */
  public LoadOptions withEnvironment(String value) {
    return new LoadOptions(platform, value, limits, hashCache, backgroundHashing);
  }

  /** A copy with other archive limits. */
  public LoadOptions withLimits(ArchiveLimits value) {
    return new LoadOptions(
        platform,
        environment,
        Objects.requireNonNull(value, "limits"),
        hashCache,
        backgroundHashing);
  }

  /** A copy with another hash cache, e.g. {@link HashCache#disabled()}. */
  public LoadOptions withHashCache(HashCache value) {
    return new LoadOptions(
        platform,
        environment,
        limits,
        Objects.requireNonNull(value, "hashCache"),
        backgroundHashing);
  }

  /**
   * A copy that hashes in the background (or not). With it, {@link DataApp#load} returns once every
   * file is selected, checked and found readable, files the hash cache knows carry their hash, and
   * the others are hashed on one thread per core, smallest first; {@link AppFile#sha256()} waits
   * for a file's hash and {@link AppFile#sha256Future()} completes with it, so that a deploy
   * uploads the files that are hashed while the rest are. A file that cannot be read, or changes
   * size, while it is hashed then fails the deploy instead of the load. {@link DataApp#close()}
   * waits for the hashing to end. Without it (the default), {@code load} hashes every file first
   * and reports unreadable ones with the app's other problems.
   */
  public LoadOptions withBackgroundHashing(boolean value) {
    return new LoadOptions(platform, environment, limits, hashCache, value);
  }

  private static String environmentFromEnv() {
    return orDefault(System.getenv("KINDLING_ENV"), DEFAULT_ENVIRONMENT);
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }
}
