package dev.kindling.core.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A file in an {@link ArtifactStore}.
 *
 * @param path the path relative to the store root, {@code /}-separated
 * @param size its size in bytes
 * @param modified when it was last written, where the store's listing says so; {@code null} when it
 *     does not
 */
public record StoredFile(String path, long size, Instant modified) {
  public StoredFile {
    Objects.requireNonNull(path, "path");
  }

  /** A file whose listing has no modification time. */
  public StoredFile(String path, long size) {
    this(path, size, null);
  }

  /** When the file was last written, if the store said. */
  public Optional<Instant> lastModified() {
    return Optional.ofNullable(modified);
  }
}
