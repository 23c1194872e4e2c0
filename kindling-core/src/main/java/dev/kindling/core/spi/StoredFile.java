package dev.kindling.core.spi;

/**
 * A file in an {@link ArtifactStore}.
 *
 * @param path the path relative to the store root, {@code /}-separated
 * @param size its size in bytes
 */
public record StoredFile(String path, long size) {}
