package dev.kindling.core.http;

import java.io.IOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds {@code Authorization: Bearer <token>} for one scope. On a 401 it {@linkplain
 * TokenProvider#invalidate invalidates} the token and tries once more with a fresh one (when the
 * request body can be sent twice); a second 401 is returned to the caller.
 *
 * <p>An application interceptor, installed inside {@link RetryInterceptor}.
 */
public final class AuthInterceptor implements Interceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);

  private final TokenProvider tokens;
  private final String scope;

  /**
   * @param tokens where tokens come from; wrap it in a {@link CachingTokenProvider} unless it
   *     caches itself
   * @param scope the scope to ask for, e.g. {@code https://api.fabric.microsoft.com/.default}
   */
  public AuthInterceptor(TokenProvider tokens, String scope) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /** The scope this interceptor asks tokens for. */
  public String scope() {
    return scope;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    Response response = chain.proceed(authorized(request));
    if (response.code() != 401 || !canResend(request)) {
      return response;
    }
    response.close();
    log.debug(
        "{} {} was refused with HTTP 401; retrying once with a fresh token",
        request.method(),
        Redaction.pathAndQuery(request.url()));
    tokens.invalidate(scope);
    return chain.proceed(authorized(request));
  }

  private Request authorized(Request request) {
    String token = tokens.token(scope).value().reveal();
    return request.newBuilder().header("Authorization", "Bearer " + token).build();
  }

  private static boolean canResend(Request request) {
    RequestBody body = request.body();
    return body == null || !(body.isOneShot() || body.isDuplex());
  }

  @Override
  public String toString() {
    return "AuthInterceptor{" + scope + "}";
  }
}
