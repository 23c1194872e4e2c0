package dev.kindling.core.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.GzipSource;
import okio.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each request and response sent over the network, with secrets redacted at the source.
 *
 * <ul>
 *   <li>DEBUG: the request line and headers, then the status line, time taken and headers. Built
 *       only when DEBUG is enabled.
 *   <li>Redacted to {@code REDACTED}: the values of {@code Authorization}, {@code
 *       Proxy-Authorization}, {@code Cookie}, {@code Set-Cookie} and of any header whose name
 *       contains {@code secret}, {@code key}, {@code token} or {@code signature} (so {@code
 *       x-ms-*-token} too); query parameters {@code sig}, {@code se}, {@code sp}, {@code sv},
 *       {@code skoid}, {@code sktid}, {@code token}, {@code code}, {@code client_secret}, {@code
 *       access_token} and any whose name contains {@code secret}, {@code sig}, {@code token} or
 *       {@code key}; the user info of the URL.
 *   <li>Request bodies are never logged: they may carry secrets.
 *   <li>TRACE: the response body, only when it is JSON and at most {@value #MAX_BODY_BYTES} bytes,
 *       with the values of fields named like secrets replaced.
 * </ul>
 *
 * <p>A network interceptor: install it with {@code addNetworkInterceptor}, so it sees every attempt
 * and the headers actually sent.
 */
public final class RedactingLoggingInterceptor implements Interceptor {
  /** The largest response body logged at TRACE. */
  static final int MAX_BODY_BYTES = 4096;

  /** The most read ahead (compressed) to find a small body. */
  private static final long MAX_PEEK_BYTES = 64 * 1024;

  private static final Pattern SECRET_JSON_FIELD =
      Pattern.compile(
          "(\"[^\"]*(?i:token|secret|password|key|sig|credential)[^\"]*\"\\s*:\\s*)"
              + "(\"(?:[^\"\\\\]|\\\\.)*\")");

  private final Sink sink;

  /** Logs to SLF4J under this class's name. */
  public RedactingLoggingInterceptor() {
    this(new Slf4jSink(LoggerFactory.getLogger(RedactingLoggingInterceptor.class)));
  }

  /** For tests: every line goes to {@code lines}, as if DEBUG (and TRACE if asked) were on. */
  RedactingLoggingInterceptor(Consumer<String> lines, boolean trace) {
    this(new ConsumerSink(Objects.requireNonNull(lines, "lines"), trace));
  }

  private RedactingLoggingInterceptor(Sink sink) {
    this.sink = sink;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (!sink.debugEnabled()) {
      return chain.proceed(request);
    }
    String url = Redaction.url(request.url());
    sink.debug(requestText(request, url));
    long startNanos = System.nanoTime();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      sink.debug("<-- HTTP FAILED: " + request.method() + " " + url + ": " + e);
      throw e;
    }
    long tookMs = (System.nanoTime() - startNanos) / 1_000_000;
    sink.debug(responseText(response, url, tookMs));
    if (sink.traceEnabled()) {
      String body = smallJsonBody(response);
      if (body != null) {
        sink.trace("<-- body " + url + "\n" + redactJson(body));
      }
    }
    return response;
  }

  private static String requestText(Request request, String url) {
    StringBuilder sb = new StringBuilder("--> ").append(request.method()).append(' ').append(url);
    appendHeaders(sb, request.headers());
    if (request.body() != null) {
      long length = contentLength(request);
      sb.append("\n(request body not logged")
          .append(length >= 0 ? ", " + length + " bytes" : "")
          .append(')');
    }
    return sb.toString();
  }

  private static long contentLength(Request request) {
    try {
      return Objects.requireNonNull(request.body()).contentLength();
    } catch (IOException e) {
      return -1;
    }
  }

  private static String responseText(Response response, String url, long tookMs) {
    StringBuilder sb =
        new StringBuilder("<-- ")
            .append(response.code())
            .append(response.message().isEmpty() ? "" : " " + response.message())
            .append(' ')
            .append(url)
            .append(" (")
            .append(tookMs)
            .append(" ms)");
    appendHeaders(sb, response.headers());
    return sb.toString();
  }

  private static void appendHeaders(StringBuilder sb, Headers headers) {
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i);
      sb.append('\n')
          .append(name)
          .append(": ")
          .append(Redaction.headerValue(name, headers.value(i)));
    }
  }

  private static String smallJsonBody(Response response) throws IOException {
    ResponseBody body = response.body();
    MediaType type = body.contentType();
    if (type == null || !isJson(type)) {
      return null;
    }
    String encoding = response.header("Content-Encoding");
    boolean gzip = "gzip".equalsIgnoreCase(encoding);
    if (encoding != null && !gzip && !encoding.equalsIgnoreCase("identity")) {
      return null;
    }
    long length = body.contentLength();
    if (!gzip && length > MAX_BODY_BYTES) {
      return null;
    }
    // network interceptors see the body as sent: still gzipped when the server compressed it
    Buffer peeked = new Buffer().write(response.peekBody(MAX_PEEK_BYTES).bytes());
    Buffer plain = new Buffer();
    try (Source source = gzip ? new GzipSource(peeked) : peeked) {
      while (plain.size() <= MAX_BODY_BYTES && source.read(plain, 8192) != -1) {
        // keep reading
      }
    } catch (IOException truncatedOrCorrupt) {
      return null;
    }
    if (plain.size() > MAX_BODY_BYTES) {
      return null;
    }
    return plain.readString(StandardCharsets.UTF_8);
  }

  private static boolean isJson(MediaType type) {
    String subtype = type.subtype().toLowerCase(Locale.ROOT);
    return subtype.equals("json") || subtype.endsWith("+json");
  }

  /** Replaces the string values of JSON fields named like secrets. */
  static String redactJson(String json) {
    Matcher m = SECRET_JSON_FIELD.matcher(json);
    return m.replaceAll(
        r -> Matcher.quoteReplacement(r.group(1) + "\"" + Redaction.REDACTED + "\""));
  }

  private interface Sink {
    boolean debugEnabled();

    boolean traceEnabled();

    void debug(String line);

    void trace(String line);
  }

  private record Slf4jSink(Logger log) implements Sink {
    @Override
    public boolean debugEnabled() {
      return log.isDebugEnabled();
    }

    @Override
    public boolean traceEnabled() {
      return log.isTraceEnabled();
    }

    @Override
    public void debug(String line) {
      log.debug(line);
    }

    @Override
    public void trace(String line) {
      log.trace(line);
    }
  }

  private record ConsumerSink(Consumer<String> lines, boolean trace) implements Sink {
    @Override
    public boolean debugEnabled() {
      return true;
    }

    @Override
    public boolean traceEnabled() {
      return trace;
    }

    @Override
    public void debug(String line) {
      lines.accept(line);
    }

    @Override
    public void trace(String line) {
      lines.accept(line);
    }
  }
}
