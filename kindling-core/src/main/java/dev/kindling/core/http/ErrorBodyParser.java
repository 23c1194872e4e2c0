package dev.kindling.core.http;

import okhttp3.Headers;

/**
 * Reads one platform's error responses (Fabric's {@code {errorCode, message, requestId}},
 * Databricks' {@code {error_code, message}}, Synapse's {@code {error: {code, message}}}). Each
 * platform module supplies one; {@link HttpErrors} does the rest.
 */
@FunctionalInterface
public interface ErrorBodyParser {
  /**
   * Extracts what the platform said. Must not throw: answer {@link PlatformError#none()} (or
   * partial values) for a body it cannot read.
   *
   * @param status the HTTP status
   * @param headers the response headers (some platforms put the error code in one)
   * @param body the start of the response body as text; empty if there was none
   */
  PlatformError parse(int status, Headers headers, String body);

  /** A parser that reads nothing; {@link HttpErrors} then falls back to the body text. */
  static ErrorBodyParser none() {
    return (status, headers, body) -> PlatformError.none();
  }
}
