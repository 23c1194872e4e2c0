package dev.kindling.testkit.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server on a loopback port for the cloud emulators: routes by method and path
 * pattern, keeps a {@link Journal}, and injects {@link Fault}s and latency before routing. Built on
 * Jetty 11 (the one WireMock also uses), which can drop a connection for real.
 */
public final class EmulatorServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmulatorServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Handles one routed request. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  private record Route(String method, Pattern path, Handler handler) {}

  private final String name;
  private final Server server;
  private final ServerConnector connector;
  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final Journal journal = new Journal();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Clock clock;
  private volatile Duration latency = Duration.ZERO;

  /** A server named {@code name} on 127.0.0.1:{@code port} ({@code 0}: any free port). */
  public EmulatorServer(String name, int port) {
    this(name, port, Clock.systemUTC());
  }

  public EmulatorServer(String name, int port, Clock clock) {
    this.name = name;
    this.clock = clock;
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName(name + "-emulator-" + THREADS.incrementAndGet());
    threads.setDaemon(true);
    server = new Server(threads);
    connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(
        new AbstractHandler() {
          @Override
          public void handle(
              String target,
              org.eclipse.jetty.server.Request base,
              HttpServletRequest req,
              HttpServletResponse resp) {
            base.setHandled(true);
            serve(base, req, resp);
          }
        });
    server.setStopTimeout(0);
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("could not listen on 127.0.0.1:" + port + ": " + e, e);
    }
  }

  /** Adds a route; the first route whose method and path pattern match handles a request. */
  public EmulatorServer route(String method, String pathRegex, Handler handler) {
    routes.add(new Route(method, Pattern.compile(pathRegex), handler));
    return this;
  }

  /** Adds a route ahead of every route added so far. */
  public EmulatorServer routeFirst(String method, String pathRegex, Handler handler) {
    routes.add(0, new Route(method, Pattern.compile(pathRegex), handler));
    return this;
  }

  /** {@code http://127.0.0.1:<port>} */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public int port() {
    return connector.getLocalPort();
  }

  public Journal journal() {
    return journal;
  }

  /** Injects a fault into the next matching requests. */
  public void inject(Fault fault) {
    faults.add(fault);
  }

  /** Removes every injected fault. */
  public void clearFaults() {
    faults.clear();
  }

  /** Delays every answer by {@code d} (simulated network latency). */
  public void latency(Duration d) {
    latency = d;
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      server.stop();
    } catch (Exception e) {
      log.debug("{}: stopping the emulator: {}", name, e.toString());
    }
  }

  private void serve(
      org.eclipse.jetty.server.Request base, HttpServletRequest req, HttpServletResponse resp) {
    String method = req.getMethod().toUpperCase(Locale.ROOT);
    String path = req.getRequestURI();
    path = java.net.URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
    String rawQuery = Optional.ofNullable(req.getQueryString()).orElse("");
    Map<String, List<String>> headers = headers(req);
    Map<String, String> safe = safeHeaders(headers);
    try {
      Duration l = latency;
      if (!l.isZero()) {
        closed.await(l.toNanos(), TimeUnit.NANOSECONDS); // returns early when the emulator closes
      }
      for (Fault f : faults) {
        if (f.claim(method, path)) {
          applyFault(base, req, resp, f, method, path, rawQuery, headers, safe);
          return;
        }
      }
      Response response = dispatch(req, method, path, rawQuery, headers);
      journal.add(
          new Journal.Entry(clock.instant(), method, path, rawQuery, response.status(), "", safe));
      send(method, resp, response);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      base.getHttpChannel().getEndPoint().close();
    } catch (IOException e) {
      log.debug("{}: {} {} failed: {}", name, method, path, e.toString());
      base.getHttpChannel().getEndPoint().close();
    }
  }

  private Response dispatch(
      HttpServletRequest req,
      String method,
      String path,
      String rawQuery,
      Map<String, List<String>> headers)
      throws IOException {
    for (Route r : routes) {
      Matcher m = r.path().matcher(path);
      if (r.method().equals(method) && m.matches()) {
        List<String> groups = new ArrayList<>();
        for (int i = 1; i <= m.groupCount(); i++) {
          groups.add(m.group(i));
        }
        Request request =
            new Request(method, path, groups, parseQuery(rawQuery), headers, req.getInputStream());
        try {
          return r.handler().handle(request);
        } catch (Exception e) {
          log.warn("{}: {} {} failed in the emulator", name, method, path, e);
          return Response.json(500, Map.of("error", "emulator failure: " + e));
        }
      }
    }
    return Response.json(
        404, Map.of("error", name + " emulator has no route for " + method + " " + path));
  }

  private void applyFault(
      org.eclipse.jetty.server.Request base,
      HttpServletRequest req,
      HttpServletResponse resp,
      Fault f,
      String method,
      String path,
      String query,
      Map<String, List<String>> headers,
      Map<String, String> safe)
      throws IOException, InterruptedException {
    switch (f.kind()) {
      case STATUS -> {
        journal.add(
            new Journal.Entry(clock.instant(), method, path, query, f.status(), f.name(), safe));
        req.getInputStream().transferTo(OutputStream.nullOutputStream());
        Response r =
            new Response(
                f.status(),
                f.body().map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]),
                null);
        f.headers().forEach(r::header);
        if (f.body().isPresent()) {
          r.header("Content-Type", "application/json");
        }
        send(method, resp, r);
      }
      case DROP -> {
        journal.add(new Journal.Entry(clock.instant(), method, path, query, 0, f.name(), safe));
        base.getHttpChannel().getEndPoint().close();
      }
      case DELAY -> {
        closed.await(f.delay().toNanos(), TimeUnit.NANOSECONDS);
        Response response = dispatch(req, method, path, query, headers);
        journal.add(
            new Journal.Entry(
                clock.instant(), method, path, query, response.status(), f.name(), safe));
        send(method, resp, response);
      }
      case LOSE_RESPONSE -> {
        Response response = dispatch(req, method, path, query, headers);
        journal.add(
            new Journal.Entry(
                clock.instant(), method, path, query, response.status(), f.name(), safe));
        base.getHttpChannel().getEndPoint().close();
      }
      case HANG -> {
        journal.add(new Journal.Entry(clock.instant(), method, path, query, 0, f.name(), safe));
        closed.await(10, TimeUnit.MINUTES);
        base.getHttpChannel().getEndPoint().close();
      }
    }
  }

  private static void send(String method, HttpServletResponse resp, Response r) throws IOException {
    resp.setStatus(r.status());
    r.headers().forEach(resp::setHeader);
    boolean noBody = r.status() == 204 || r.status() == 304 || method.equals("HEAD");
    if (r.file() != null) {
      long size = Files.size(r.file());
      resp.setContentLengthLong(size);
      if (!noBody && size > 0) {
        try (OutputStream os = resp.getOutputStream();
            InputStream in = Files.newInputStream(r.file())) {
          in.transferTo(os);
        }
      }
    } else {
      byte[] body = r.body();
      if (!noBody) {
        resp.setContentLength(body.length);
        if (body.length > 0) {
          try (OutputStream os = resp.getOutputStream()) {
            os.write(body);
          }
        }
      }
    }
  }

  private static Map<String, List<String>> headers(HttpServletRequest req) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String n : java.util.Collections.list(req.getHeaderNames())) {
      m.put(n.toLowerCase(Locale.ROOT), java.util.Collections.list(req.getHeaders(n)));
    }
    return m;
  }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (raw.isEmpty()) {
      return q;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return q;
  }

  /** Headers for the journal: credential values replaced. */
  private static Map<String, String> safeHeaders(Map<String, List<String>> h) {
    Map<String, String> m = new LinkedHashMap<>();
    h.forEach(
        (key, v) -> {
          boolean secret =
              key.equals("authorization")
                  || key.contains("token")
                  || key.contains("secret")
                  || key.contains("cookie")
                  || key.contains("key");
          m.put(key, secret ? "REDACTED" : String.join(",", v));
        });
    return m;
  }

  /**
   * One routed request.
   *
   * @param method HTTP method
   * @param path the decoded path
   * @param groups the path pattern's groups
   * @param query decoded query parameters
   * @param headers request headers, names in lower case
   * @param body the request body stream (read it at most once)
   */
  public record Request(
      String method,
      String path,
      List<String> groups,
      Map<String, List<String>> query,
      Map<String, List<String>> headers,
      InputStream body) {
    /** The path group {@code i} (1-based). */
    public String group(int i) {
      return groups.get(i - 1);
    }

    /** The first value of query parameter {@code name}. */
    public Optional<String> param(String name) {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /** The first value of header {@code name}. */
    public Optional<String> header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /** The bearer token of the {@code Authorization} header. */
    public Optional<String> bearer() {
      return header("Authorization")
          .filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7))
          .map(a -> a.substring(7).trim());
    }

    /** The body as bytes. For small bodies (JSON); stream large ones. */
    public byte[] bytes() throws IOException {
      return body.readAllBytes();
    }

    /** The body as UTF-8 text. */
    public String text() throws IOException {
      return new String(bytes(), StandardCharsets.UTF_8);
    }
  }

  /** An answer. */
  public static final class Response {
    private final int status;
    private final byte[] body;
    private final Path file;
    private final Map<String, String> headers = new LinkedHashMap<>();

    Response(int status, byte[] body, Path file) {
      this.status = status;
      this.body = body;
      this.file = file;
    }

    /** A JSON answer; {@code value} is serialized with Jackson (a String is sent as is). */
    public static Response json(int status, Object value) {
      byte[] bytes;
      if (value instanceof String s) {
        bytes = s.getBytes(StandardCharsets.UTF_8);
      } else {
        try {
          bytes = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException(e);
        }
      }
      return new Response(status, bytes, null).header("Content-Type", "application/json");
    }

    /** An answer without a body. */
    public static Response empty(int status) {
      return new Response(status, new byte[0], null);
    }

    /** Raw bytes. */
    public static Response bytes(int status, byte[] body, String contentType) {
      return new Response(status, body, null).header("Content-Type", contentType);
    }

    /** A file, streamed. */
    public static Response file(int status, Path file) {
      return new Response(status, null, file).header("Content-Type", "application/octet-stream");
    }

    public Response header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    public int status() {
      return status;
    }

    byte[] body() {
      return body;
    }

    Path file() {
      return file;
    }

    Map<String, String> headers() {
      return headers;
    }
  }
}
