package dev.kindling.core.http;

/**
 * Marks a non-idempotent request (a POST) as safe to retry, e.g. a Databricks {@code run-now} with
 * an idempotency token. Without it, {@link RetryInterceptor} retries only GET, HEAD, PUT, DELETE
 * and OPTIONS.
 *
 * <pre>{@code
 * Request safe = request.newBuilder().tag(RetrySafe.class, RetrySafe.INSTANCE).build();
 * }</pre>
 */
public enum RetrySafe {
  /** The only value. */
  INSTANCE
}
