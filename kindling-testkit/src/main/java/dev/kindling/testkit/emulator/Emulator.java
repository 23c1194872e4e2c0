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

  /** The HTTP server it answers on. */
  EmulatorServer server();

  /** Where it listens. */
  default URI baseUrl() {
    return server().baseUrl();
  }

  /** Every request received. */
  default Journal journal() {
    return server().journal();
  }

  /** Injects a fault into the next matching requests. */
  default void inject(Fault fault) {
    server().inject(fault);
  }

  /** Removes injected faults. */
  default void clearFaults() {
    server().clearFaults();
  }

  /** Delays every answer (simulated network latency). */
  default void latency(Duration latency) {
    server().latency(latency);
  }

  /**
   * The {@code kindling.yaml} target that points at this emulator ({@code platform}, URLs, ids, an
   * {@code auth} block with the emulator's token): what a test or a user needs to deploy to it.
   */
  Map<String, Object> target();

  /** Stops it; runs it started are killed. */
  @Override
  void close();
}
