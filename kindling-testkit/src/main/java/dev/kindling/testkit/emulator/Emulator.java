package dev.kindling.testkit.emulator;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A local HTTP emulator of a Spark platform's APIs, on a loopback port: speaks the documented
 * protocol, keeps a journal, injects faults and latency, and runs deployed apps for real.
 */
public interface Emulator extends AutoCloseable {
  /** The platform id it emulates ({@code fabric}, {@code databricks}, {@code synapse}). */
  String id();

  /** Where it listens. */
  URI baseUrl();

  /** Every request received. */
  Journal journal();

  /** Injects a fault into the next matching requests. */
  void inject(Fault fault);

  /** Removes injected faults. */
  void clearFaults();

  /** Delays every answer (simulated network latency). */
  void latency(Duration latency);

  /**
   * The {@code kindling.yaml} target that points at this emulator ({@code platform}, URLs, ids, an
   * {@code auth} block with the emulator's token): what a test or a user needs to deploy to it.
   */
  Map<String, Object> target();

  /** Stops it; runs it started are killed. */
  @Override
  void close();
}
