package dev.kindling.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DeploymentResult;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Scenario 4's child JVM (started with a small {@code -Xmx}): deploys one app and prints {@code
 * files=N bytes=N heap_peak=N live_peak=N} (heap pools' peak use, and the most left after a
 * collection) on its last line. Exits non-zero on any failure, including {@code OutOfMemoryError}.
 *
 * <p>Arguments: {@code CONFIG TARGET APP_DIR}.
 */
public final class MemoryProbe {
  private MemoryProbe() {}

  private static final AtomicLong LIVE_PEAK = new AtomicLong();

  public static void main(String[] args) {
    watchGc();
    try (Kindling k = Kindling.fromConfig(Path.of(args[0]), args[1])) {
      DeploymentResult r = k.deployer().deployAsJob(Path.of(args[2]), JobConfig.builder().build());
      System.out.println(
          "files="
              + r.filesUploaded()
              + " bytes="
              + r.bytesUploaded()
              + " heap_peak="
              + heapPeak()
              + " live_peak="
              + LIVE_PEAK.get());
    } catch (OutOfMemoryError e) {
      System.err.println("OutOfMemoryError: " + e.getMessage());
      System.exit(3);
    }
  }

  /** Records the largest heap left after any collection: the most the deploy kept alive. */
  private static void watchGc() {
    Set<String> heapPools = new HashSet<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(
            (n, h) -> {
              if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                  n.getType())) {
                return;
              }
              GarbageCollectionNotificationInfo info =
                  GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
              long used = 0;
              for (Map.Entry<String, MemoryUsage> e :
                  info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) {
                  used += e.getValue().getUsed();
                }
              }
              LIVE_PEAK.accumulateAndGet(used, Math::max);
            },
            null,
            null);
      }
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
