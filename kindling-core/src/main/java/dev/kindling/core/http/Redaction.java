package dev.kindling.core.http;

import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/** What is secret in a URL or a header, decided once for every log line and message. */
final class Redaction {
  static final String REDACTED = "REDACTED";

  private static final Set<String> SECRET_HEADERS =
      Set.of("authorization", "proxy-authorization", "cookie", "set-cookie");
  private static final String[] SECRET_HEADER_PARTS = {"secret", "key", "token", "signature"};

  /** SAS and OAuth parameters; {@code sk*} are the user-delegation SAS ones. */
  private static final Set<String> SECRET_PARAMS =
      Set.of(
          "sig",
          "se",
          "sp",
          "sv",
          "skoid",
          "sktid",
          "skt",
          "ske",
          "sks",
          "skv",
          "token",
          "code",
          "client_secret",
          "access_token",
          "refresh_token",
          "password");

  private static final String[] SECRET_PARAM_PARTS = {"secret", "sig", "token", "key", "password"};

  private Redaction() {}

  static boolean isSecretHeader(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (SECRET_HEADERS.contains(n)) {
      return true;
    }
    for (String part : SECRET_HEADER_PARTS) {
      if (n.contains(part)) {
        return true;
      }
    }
    return false;
  }

  static boolean isSecretParam(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (SECRET_PARAMS.contains(n)) {
      return true;
    }
    for (String part : SECRET_PARAM_PARTS) {
      if (n.contains(part)) {
        return true;
      }
    }
    return false;
  }

  /** The header value, or {@code REDACTED} for a secret header. */
  static String headerValue(String name, String value) {
    return isSecretHeader(name) ? REDACTED : value;
  }

  /** The whole URL with user info dropped and secret query values replaced by {@code REDACTED}. */
  static String url(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder().username("").password("").query(null);
    appendQuery(url, b);
    return b.build().toString();
  }

  /** Path and redacted query only, for short log lines: {@code /v1/items?sig=REDACTED}. */
  static String pathAndQuery(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder().query(null);
    appendQuery(url, b);
    HttpUrl redacted = b.build();
    String query = redacted.encodedQuery();
    return redacted.encodedPath() + (query == null ? "" : "?" + query);
  }

  private static void appendQuery(HttpUrl url, HttpUrl.Builder b) {
    for (int i = 0; i < url.querySize(); i++) {
      String name = url.queryParameterName(i);
      String value = url.queryParameterValue(i);
      b.addQueryParameter(name, value == null ? null : isSecretParam(name) ? REDACTED : value);
    }
  }
}
