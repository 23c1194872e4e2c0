package dev.kindling.cli;

import dev.kindling.core.deploy.DeployListener;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Upload progress on stderr: a progress bar on a terminal, one line otherwise. */
final class UploadProgress implements DeployListener, AutoCloseable {
  private final PrintWriter err;
  private final boolean terminal;
  private volatile ProgressBar bar;

  /** Bytes reported while there is no bar (uploads start before the plan is known). */
  private final AtomicLong early = new AtomicLong();

  UploadProgress(PrintWriter err) {
    this.err = err;
    this.terminal = System.console() != null;
  }

  @Override
  public void planned(int filesTotal, int filesToUpload, long bytesToUpload) {
    if (filesToUpload == 0) {
      err.println("all " + filesTotal + " files are already stored; nothing to upload");
      err.flush();
      return;
    }
    err.println(
        "uploading "
            + filesToUpload
            + " of "
            + filesTotal
            + " files ("
            + Output.bytes(bytesToUpload)
            + ")");
    err.flush();
    if (terminal && bytesToUpload > 0) {
      ProgressBar built =
          new ProgressBarBuilder()
              .setTaskName("upload")
              .setInitialMax(bytesToUpload)
              .setStyle(ProgressBarStyle.ASCII)
              .setUnit("KiB", 1024)
              .showSpeed()
              .build();
      synchronized (this) {
        built.stepBy(early.getAndSet(0));
        bar = built;
      }
    }
  }

  @Override
  public void bytesUploaded(long bytes) {
    ProgressBar b = bar;
    if (b != null) {
      b.stepBy(bytes);
      return;
    }
    synchronized (this) {
      b = bar;
      if (b != null) {
        b.stepBy(bytes);
      } else {
        early.addAndGet(bytes);
      }
    }
  }

  @Override
  public void close() {
    ProgressBar b = bar;
    if (b != null) {
      b.close();
    }
  }
}
