package dev.kindling.core.spi;

import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A platform's file storage (OneLake, ADLS Gen2, Unity Catalog volumes, DBFS, a local directory)
 * seen through one small interface. Paths are relative to the store's root and use {@code /}.
 * Implementations stream; none holds a whole file in memory.
 */
public interface ArtifactStore {
  /**
   * The absolute location of {@code path} as the platform's Spark runtime addresses it (e.g. {@code
   * abfss://ws@onelake.dfs.fabric.microsoft.com/lh/Files/kindling/x}, {@code
   * /Volumes/c/s/v/kindling/x}, {@code /home/me/.kindling/local/x}).
   */
  String locate(String path);

  /** True if a file exists at {@code path}. */
  boolean exists(String path);

  /**
   * Stores {@code size} bytes read from {@code data} at {@code path}, replacing any file there.
   * Readers never see a partial file at {@code path}.
   */
  void upload(String path, InputStream data, long size);

  /** Streams the file at {@code path}; the caller closes the stream. */
  InputStream read(String path) throws NotFoundException;

  /**
   * Every file below {@code prefix} (a directory path, no trailing slash), recursively; empty when
   * the prefix does not exist.
   */
  List<StoredFile> list(String prefix);

  /** Deletes the file at {@code path}; true if it existed. */
  boolean delete(String path);

  /**
   * True when {@link #list(String)} of a deep tree costs one request (or one per page), as on ADLS
   * Gen2 and OneLake ({@code recursive=true}) or a local directory; false when it costs one request
   * per directory, as on Unity Catalog volumes and DBFS. Publishing then avoids listing all of an
   * app's blobs: it trusts the newest stored release manifest and checks the rest one by one.
   */
  default boolean listsRecursivelyInOneRequest() {
    return true;
  }

  /**
   * How many uploads a deploy runs at once on this store. The default is 8; the DFS store and Unity
   * Catalog volumes take 16 (the DFS store bounds its append buffers by a shared budget, not per
   * upload).
   */
  default int uploadConcurrency() {
    return 8;
  }

  /**
   * Stores a content-addressed file: one whose path names its content (a hash in the path), so that
   * every writer of {@code path} writes the same {@code size} bytes. Reads all of {@code data} in
   * every case, as {@link #upload} does. Weaker than {@link #upload} in one way, which lets a store
   * save requests: a reader may see the file shorter than {@code size} (on ADLS Gen2 and OneLake:
   * empty) while it is being written or after a writer died, so callers recognise a complete file
   * by its size and treat any other as missing; and stronger in another: a complete file already at
   * {@code path} is never replaced by a shorter one. The default is {@link #upload}.
   */
  default void uploadContentAddressed(String path, InputStream data, long size) {
    upload(path, data, size);
  }

  /**
   * Where a file's bytes come from: each {@link #open()} reads them again from the start, so that a
   * store can send a file again after a failed attempt without keeping it in memory.
   */
  @FunctionalInterface
  interface Source {
    /** A fresh stream of the whole content; the caller closes it. */
    InputStream open() throws IOException;
  }

  /**
   * As {@link #uploadContentAddressed(String, InputStream, long)}, reading from {@code source},
   * which a store may open again to send the file again after a throttled or failed attempt. The
   * default opens it once.
   */
  default void uploadContentAddressed(String path, Source source, long size) {
    InputStream data;
    try {
      data = source.open();
    } catch (IOException e) {
      throw new KindlingException("reading the data for " + path + " failed: " + e.getMessage(), e);
    }
    try (data) {
      uploadContentAddressed(path, data, size);
    } catch (IOException e) {
      throw new KindlingException("reading the data for " + path + " failed: " + e.getMessage(), e);
    }
  }
}
