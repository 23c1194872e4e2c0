package dev.kindling.core.app;

import dev.kindling.core.deploy.DeployFile;
import dev.kindling.core.error.KindlingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * One file of a {@link DataApp}: its path in the app, its size and SHA-256, and the local file its
 * bytes come from. Holds no file content; {@link #open()} streams the source file.
 */
public final class AppFile implements DeployFile {
  /** The read buffer used for hashing: 64 KiB. */
  static final int BUFFER_SIZE = 64 * 1024;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final String path;
  private final long size;
  private final Path source;

  /** The hash, known or being computed (see {@link DataApp} loaded with background hashing). */
  private final CompletableFuture<Hashed> hash;

  /**
   * A file's SHA-256 and the source's stat when it was computed, if the file had then been left
   * alone for {@link HashCache#RACY_WINDOW}; {@code settledStat} is {@code null} when unknown or
   * racy.
   */
  record Hashed(String sha256, HashCache.Stat settledStat) {}

  /**
   * An app file whose size and hash are already known.
   *
   * @param path the path in the app: relative, {@code /}-separated, no {@code .} or {@code ..}
   *     segments
   * @param size the size in bytes
   * @param sha256 the SHA-256 of the content, 64 lower-case hex digits
   * @param source the local file holding the content
   * @throws IllegalArgumentException when the path is not a safe relative path, the size is
   *     negative or the hash is not lower-case hex SHA-256
   */
  public AppFile(String path, long size, String sha256, Path source) {
    this(path, size, sha256, source, null);
  }

  /**
   * As {@link #AppFile(String, long, String, Path)}, with the source's stat at the time it was
   * hashed, given only when the file had been left alone for the racy window by then.
   */
  AppFile(String path, long size, String sha256, Path source, HashCache.Stat settledStat) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(source, "source");
    PathNames.unsafeReason(path)
        .ifPresent(
            reason -> {
              throw new IllegalArgumentException(
                  "'" + PathNames.printable(path) + "' is not a safe app path: " + reason);
            });
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a lower-case hex SHA-256: " + sha256);
    }
    this.path = path;
    this.size = size;
    this.source = source;
    this.hash = CompletableFuture.completedFuture(new Hashed(sha256, settledStat));
  }

  /**
   * An app file of a known size whose hash is being computed: {@code hash} completes with it, or
   * with a {@link KindlingException} naming the file when it could not be read or changed size.
   */
  AppFile(String path, long size, Path source, CompletableFuture<Hashed> hash) {
    this.path = Objects.requireNonNull(path, "path");
    this.size = size;
    this.source = Objects.requireNonNull(source, "source");
    this.hash = Objects.requireNonNull(hash, "hash");
  }

  /**
   * Reads {@code source} once, streaming with a 64 KiB buffer, and returns the app file at {@code
   * path} with the size and SHA-256 of the bytes read.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when {@code path} is not a safe relative path
   */
  public static AppFile of(String path, Path source) throws IOException {
    try (InputStream in = Files.newInputStream(source)) {
      Digest d = digest(in);
      return new AppFile(path, d.size(), d.sha256(), source);
    }
  }

  /** Size and SHA-256 of what {@code in} yields, read with a fixed 64 KiB buffer. */
  static Digest digest(InputStream in) throws IOException {
    MessageDigest md = newSha256();
    byte[] buffer = new byte[BUFFER_SIZE];
    long total = 0;
    for (int n; (n = in.read(buffer)) != -1; ) {
      md.update(buffer, 0, n);
      total += n;
    }
    return new Digest(total, HexFormat.of().formatHex(md.digest()));
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The size and SHA-256 (lower-case hex) of some content. */
  record Digest(long size, String sha256) {}

  @Override
  public String path() {
    return path;
  }

  @Override
  public long size() {
    return size;
  }

  /**
   * The SHA-256 of the content. For an app loaded with {@linkplain
   * LoadOptions#withBackgroundHashing(boolean) background hashing} this waits until the file is
   * hashed, and throws the {@link KindlingException} that reading it ended with.
   */
  @Override
  public String sha256() {
    return hashed().sha256();
  }

  /** Completes with {@link #sha256()}; already complete unless the file is still being hashed. */
  @Override
  public CompletableFuture<String> sha256Future() {
    return hash.thenApply(Hashed::sha256);
  }

  private Hashed hashed() {
    try {
      return hash.join();
    } catch (CancellationException e) {
      throw new KindlingException(path + " was not hashed: the app was closed", e);
    } catch (CompletionException e) {
      if (e.getCause() instanceof KindlingException k) {
        throw k;
      }
      throw new KindlingException("could not hash " + path + ": " + e.getCause(), e);
    }
  }

  /** The local file the content is read from. */
  public Path source() {
    return source;
  }

  /**
   * Opens the source file. For an app loaded from a {@code .kda}, this fails once the {@link
   * DataApp} is closed.
   */
  @Override
  public InputStream open() throws IOException {
    return Files.newInputStream(source);
  }

  /**
   * True when the source's size, modification and change times and identity (device and inode) are
   * still those it had when it was hashed, and it had been left alone for {@link
   * HashCache#RACY_WINDOW} before that (the rules of {@link HashCache}): its bytes are then the
   * hashed ones, and an upload need not hash them again.
   */
  @Override
  public boolean provablyUnchanged() {
    Hashed h = hash.getNow(null);
    HashCache.Stat settledStat = h == null ? null : h.settledStat();
    if (settledStat == null) {
      return false;
    }
    try {
      return HashCache.Stat.of(source).equals(settledStat);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Equal path, size, hash and source; waits for the hashes of files still being hashed. */
  @Override
  public boolean equals(Object o) {
    return o instanceof AppFile f
        && f.path.equals(path)
        && f.size == size
        && f.sha256().equals(sha256())
        && f.source.equals(source);
  }

  /** Without the hash, so that a file still being hashed can go into a hash set at once. */
  @Override
  public int hashCode() {
    return Objects.hash(path, size, source);
  }

  @Override
  public String toString() {
    Hashed h = hash.isDone() && !hash.isCompletedExceptionally() ? hash.join() : null;
    return path
        + " ("
        + size
        + " bytes, "
        + (h == null ? "not hashed" : "sha256 " + h.sha256().substring(0, 12) + "...")
        + ")";
  }
}
