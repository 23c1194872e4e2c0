package dev.kindling.core.deploy;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Run tags name a run's result folder ({@code yyyyMMdd'T'HHmmss'Z'-<8 hex>}). Kindling makes one
 * when it submits a run and keeps it inside the run id.
 */
public final class RunTags {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunTags() {}

  /** A new run tag for a run submitted now. */
  public static String newTag(Clock clock) {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return FORMAT.format(clock.instant()) + "-" + HexFormat.of().formatHex(b);
  }
}
