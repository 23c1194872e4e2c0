package dev.kindling.core.deploy;

/**
 * Progress of a deploy, for progress bars. Called from upload threads; implementations are
 * thread-safe.
 */
public interface DeployListener {
  DeployListener NONE = new DeployListener() {};

  /**
   * The plan is known: how many files and bytes will actually be uploaded. Uploads can start before
   * it, while files are still being hashed, so {@link #bytesUploaded} and {@link #fileUploaded} may
   * be called first; those calls are part of the plan.
   */
  default void planned(int filesTotal, int filesToUpload, long bytesToUpload) {}

  /**
   * {@code bytes} more bytes were sent (a file sent again after a throttled attempt counts again).
   */
  default void bytesUploaded(long bytes) {}

  /** One file is stored. */
  default void fileUploaded(String path, long size) {}
}
