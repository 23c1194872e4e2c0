/**
 * The shared HTTP stack every platform module uses: one OkHttp client from {@link
 * dev.kindling.core.http.HttpClients}, with interceptors for bearer tokens ({@link
 * dev.kindling.core.http.AuthInterceptor}), retries ({@link
 * dev.kindling.core.http.RetryInterceptor} with a {@link dev.kindling.core.http.RetryPolicy}) and
 * redacted debug logging ({@link dev.kindling.core.http.RedactingLoggingInterceptor}); {@link
 * dev.kindling.core.http.HttpErrors} turns a failed response into a typed {@link
 * dev.kindling.core.error.KindlingException}.
 */
package dev.kindling.core.http;
