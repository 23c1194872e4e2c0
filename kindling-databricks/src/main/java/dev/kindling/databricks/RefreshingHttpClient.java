package dev.kindling.databricks;

import com.databricks.sdk.core.http.HttpClient;
import com.databricks.sdk.core.http.Request;
import com.databricks.sdk.core.http.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK's HTTP client with one thing added: an answer of 401 to a request authenticated by a
 * Kindling {@link TokenCredentials} makes it forget the token and send the request once more with a
 * fresh one. The SDK itself does not retry a 401, so without this a token revoked or rotated before
 * its announced expiry would fail the call (and a long wait with it) although a new token is to be
 * had. Requests with a streamed body (file uploads) are not sent again: their body has been
 * consumed.
 */
final class RefreshingHttpClient implements HttpClient {
  private static final Logger log = LoggerFactory.getLogger(RefreshingHttpClient.class);

  private final HttpClient delegate;
  private final TokenCredentials credentials;

  RefreshingHttpClient(HttpClient delegate, TokenCredentials credentials) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
  }

  @Override
  public Response execute(Request request) throws IOException {
    Response response = delegate.execute(request);
    if (response.getStatusCode() != 401
        || request.isBodyStreaming()
        || !request.getHeaders().containsKey("Authorization")) {
      return response;
    }
    close(response);
    log.debug(
        "{} {}: the token was refused (401); sending it once more with a fresh token",
        request.getMethod(),
        request.getUri().getPath());
    credentials.invalidate();
    return delegate.execute(request.withHeaders(credentials.headers()));
  }

  private static void close(Response response) {
    InputStream body = response.getBody();
    if (body != null) {
      try {
        body.close();
      } catch (IOException e) {
        log.debug("closing a refused answer failed", e);
      }
    }
  }
}
