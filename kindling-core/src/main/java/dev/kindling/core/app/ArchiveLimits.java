package dev.kindling.core.app;

/**
 * Limits applied while reading a {@code .kda} archive, so that a hostile or broken archive cannot
 * fill the disk. Sizes are the bytes actually inflated, counted while streaming; the sizes an
 * archive declares in its headers are never trusted.
 *
 * @param maxEntries the most entries (files and directories) an archive may have
 * @param maxEntryBytes the most bytes one entry may expand to
 * @param maxTotalBytes the most bytes all entries together may expand to
 * @param maxCompressionRatio the highest ratio of expanded to compressed size an entry may have;
 *     checked only once an entry has expanded to more than {@link #RATIO_CHECK_MIN_BYTES}
 */
public record ArchiveLimits(
    int maxEntries, long maxEntryBytes, long maxTotalBytes, double maxCompressionRatio) {

  /** Entries that expand to at most this many bytes (1 MiB) are never rejected for their ratio. */
  public static final long RATIO_CHECK_MIN_BYTES = 1L << 20;

  private static final ArchiveLimits DEFAULTS = new ArchiveLimits(10_000, 1L << 30, 2L << 30, 200);

  public ArchiveLimits {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
    }
    if (maxEntryBytes <= 0) {
      throw new IllegalArgumentException("maxEntryBytes must be positive: " + maxEntryBytes);
    }
    if (maxTotalBytes <= 0) {
      throw new IllegalArgumentException("maxTotalBytes must be positive: " + maxTotalBytes);
    }
    if (!(maxCompressionRatio >= 1)) {
      throw new IllegalArgumentException(
          "maxCompressionRatio must be at least 1: " + maxCompressionRatio);
    }
  }

  /** 10,000 entries, 1 GiB per entry, 2 GiB in total, compression ratio 200. */
  public static ArchiveLimits defaults() {
    return DEFAULTS;
  }

  /** A copy with another entry count limit. */
  public ArchiveLimits withMaxEntries(int value) {
    return new ArchiveLimits(value, maxEntryBytes, maxTotalBytes, maxCompressionRatio);
  }

  /** A copy with another per-entry size limit. */
  public ArchiveLimits withMaxEntryBytes(long value) {
    return new ArchiveLimits(maxEntries, value, maxTotalBytes, maxCompressionRatio);
  }

  /** A copy with another total size limit. */
  public ArchiveLimits withMaxTotalBytes(long value) {
    return new ArchiveLimits(maxEntries, maxEntryBytes, value, maxCompressionRatio);
  }

  /** A copy with another compression ratio limit. */
  public ArchiveLimits withMaxCompressionRatio(double value) {
    return new ArchiveLimits(maxEntries, maxEntryBytes, maxTotalBytes, value);
  }
}
