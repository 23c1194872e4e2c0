package dev.kindling.testkit.emulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A fault an emulator injects into matching requests, a given number of times: an error status
 * (with headers such as {@code Retry-After} and a body), a dropped connection, a delay, or a
 * response that never arrives (until the client gives up).
 */
public final class Fault {
  /** What happens to a matching request. */
  public enum Kind {
    /** Answer with a status, headers and body instead of the real response. */
    STATUS,
    /** Close the connection without an answer. */
    DROP,
    /** Answer normally, after a delay. */
    DELAY,
    /** Never answer (until the emulator closes); the client's read timeout fires. */
    HANG,
    /**
     * Process the request for real, then close the connection instead of answering: the client
     * cannot tell whether the service acted (an ambiguous failure).
     */
    LOSE_RESPONSE
  }

  private final String name;
  private final String method;
  private final Pattern path;
  private final Kind kind;
  private final int status;
  private final Map<String, String> headers;
  private final String body;
  private final Duration delay;
  private int remaining;

  private Fault(Builder b) {
    this.name = b.name;
    this.method = b.method;
    this.path = b.path;
    this.kind =
        Objects.requireNonNull(
            b.kind, "kind: call status(), drop(), delay(), hang() or loseResponse()");
    this.status = b.status;
    this.headers = Map.copyOf(b.headers);
    this.body = b.body;
    this.delay = b.delay;
    this.remaining = b.times;
  }

  /**
   * A fault for requests with {@code method} (or {@code *}) whose path matches {@code pathRegex}.
   */
  public static Builder on(String method, String pathRegex) {
    return new Builder(method, Pattern.compile(pathRegex));
  }

  /** Fault for every request. */
  public static Builder onAny() {
    return new Builder("*", Pattern.compile(".*"));
  }

  synchronized boolean claim(String m, String p) {
    if (remaining == 0) {
      return false;
    }
    if (!method.equals("*") && !method.equalsIgnoreCase(m)) {
      return false;
    }
    if (!path.matcher(p).matches()) {
      return false;
    }
    if (remaining > 0) {
      remaining--;
    }
    return true;
  }

  /** How many more times it fires; negative for always. */
  public synchronized int remaining() {
    return remaining;
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public Optional<String> body() {
    return Optional.ofNullable(body);
  }

  public Duration delay() {
    return delay;
  }

  @Override
  public String toString() {
    return name;
  }

  /** Builds a {@link Fault}. */
  public static final class Builder {
    private final String method;
    private final Pattern path;
    private String name;
    private Kind kind;
    private int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String body;
    private Duration delay = Duration.ZERO;
    private int times = 1;

    private Builder(String method, Pattern path) {
      this.method = method;
      this.path = path;
    }

    /** Answer {@code status} instead. */
    public Builder status(int status) {
      this.kind = Kind.STATUS;
      this.status = status;
      return this;
    }

    /** A header of the injected answer, e.g. {@code Retry-After}. */
    public Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /** The body of the injected answer (e.g. the platform's error JSON). */
    public Builder body(String body) {
      this.body = body;
      return this;
    }

    /** Drop the connection. */
    public Builder drop() {
      this.kind = Kind.DROP;
      return this;
    }

    /** Answer normally after {@code d}. */
    public Builder delay(Duration d) {
      this.kind = Kind.DELAY;
      this.delay = d;
      return this;
    }

    /** Handle the request, then drop the connection without the answer. */
    public Builder loseResponse() {
      this.kind = Kind.LOSE_RESPONSE;
      return this;
    }

    /** Never answer. */
    public Builder hang() {
      this.kind = Kind.HANG;
      return this;
    }

    /** Fire {@code n} times (default 1). */
    public Builder times(int n) {
      this.times = n;
      return this;
    }

    /** Fire on every match. */
    public Builder always() {
      this.times = -1;
      return this;
    }

    /** A name for the journal and reports. */
    public Builder named(String name) {
      this.name = name;
      return this;
    }

    public Fault build() {
      if (name == null) {
        name = kind + (kind == Kind.STATUS ? " " + status : "") + " on " + method + " " + path;
      }
      return new Fault(this);
    }
  }
}
