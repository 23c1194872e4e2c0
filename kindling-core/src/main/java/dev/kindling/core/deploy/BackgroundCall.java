package dev.kindling.core.deploy;

import dev.kindling.core.error.KindlingException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One call (typically one request) started on its own daemon thread so that it overlaps other work,
 * such as looking up a job by name while the release is published. {@link #join()} returns its
 * result or throws what it threw; {@link #close()} waits for it to end, interrupting it first when
 * its result was never asked for, so that no request of a deploy is still in flight after the
 * deploy returned or failed.
 *
 * <pre>{@code
 * try (BackgroundCall<Optional<Job>> lookup = BackgroundCall.start("looking up " + name, find)) {
 *   Release release = publisher.publish(app);  // the lookup's request overlaps this
 *   Optional<Job> existing = lookup.join();
 *   ...
 * }
 * }</pre>
 *
 * @param <T> the call's result
 */
public final class BackgroundCall<T> implements AutoCloseable {
  private static final AtomicInteger COUNT = new AtomicInteger();

  private final String operation;
  private final Thread thread;
  private volatile boolean joined;
  private T result;
  private Throwable failure;

  private BackgroundCall(String operation, Supplier<T> call) {
    this.operation = operation;
    this.thread =
        new Thread(
            () -> {
              try {
                result = call.get();
              } catch (Throwable t) { // handed to the thread that joins
                failure = t;
              }
            },
            "kindling-background-" + COUNT.incrementAndGet());
    thread.setDaemon(true);
  }

  /**
   * Starts {@code call} now on a new daemon thread.
   *
   * @param operation what the call does, for the message of an interrupted wait
   */
  public static <T> BackgroundCall<T> start(String operation, Supplier<T> call) {
    BackgroundCall<T> c =
        new BackgroundCall<>(
            Objects.requireNonNull(operation, "operation"), Objects.requireNonNull(call, "call"));
    c.thread.start();
    return c;
  }

  /**
   * Waits for the call and returns its result, or throws what it threw (a {@link KindlingException}
   * as it is, an unchecked exception as it is, anything else wrapped).
   */
  public T join() {
    joined = true;
    awaitEnd();
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new KindlingException(operation + " failed: " + failure, failure);
    }
    return result;
  }

  /**
   * Waits for the call to end; when its result was not asked for (the work it overlapped failed),
   * interrupts it first so that it gives up any retry wait. Its outcome is then ignored.
   */
  @Override
  public void close() {
    if (!joined && thread.isAlive()) {
      thread.interrupt();
    }
    awaitEnd();
  }

  private void awaitEnd() {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        // the call ends soon after an interrupt; keep waiting so that nothing outlives us
        interrupted = true;
        thread.interrupt();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
