package dev.kindling.bench;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DeploymentResult;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;

/**
 * Scenario 4's child JVM (started with a small {@code -Xmx}): deploys one app and prints {@code
 * files=N bytes=N heap_peak=N} on its last line. Exits non-zero on any failure, including {@code
 * OutOfMemoryError}.
 *
 * <p>Arguments: {@code CONFIG TARGET APP_DIR}.
 */
public final class MemoryProbe {
  private MemoryProbe() {}

  public static void main(String[] args) {
    try (Kindling k = Kindling.fromConfig(Path.of(args[0]), args[1])) {
      DeploymentResult r = k.deployer().deployAsJob(Path.of(args[2]), JobConfig.builder().build());
      System.out.println(
          "files="
              + r.filesUploaded()
              + " bytes="
              + r.bytesUploaded()
              + " heap_peak="
              + heapPeak());
    } catch (OutOfMemoryError e) {
      System.err.println("OutOfMemoryError: " + e.getMessage());
      System.exit(3);
    }
  }

  /** The sum of the heap pools' peak usage: an upper bound of the live heap at any moment. */
  static long heapPeak() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }
}
