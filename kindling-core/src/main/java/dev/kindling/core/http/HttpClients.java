package dev.kindling.core.http;

import dev.kindling.core.time.Scheduler;
import dev.kindling.core.time.SystemScheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * Where every Kindling HTTP client comes from. One shared base {@link OkHttpClient} holds the
 * connection pool and dispatcher; each platform gets a {@link OkHttpClient#newBuilder()} variant of
 * it (sharing pool and threads) with, from the outside in:
 *
 * <ol>
 *   <li>{@code User-Agent: kindling-java/<version>} (unless the request sets one);
 *   <li>{@link RetryInterceptor}: outermost, so every retried attempt passes through auth again and
 *       gets a current token;
 *   <li>{@link AuthInterceptor}, when a token provider is given;
 *   <li>{@link RedactingLoggingInterceptor} as a network interceptor: innermost, it sees each
 *       attempt and the headers actually sent.
 * </ol>
 *
 * <p>Timeouts default to connect 10 s, read 60 s, write 60 s and no call timeout: the retry
 * policy's total budget bounds a call with its retries (a call timeout would also cut the waits
 * between retries).
 *
 * <pre>{@code
 * OkHttpClient fabric =
 *     HttpClients.builder()
 *         .platform("fabric")
 *         .auth(tokens, "https://api.fabric.microsoft.com/.default")
 *         .build();
 * }</pre>
 */
public final class HttpClients {
  /** Default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default read timeout. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

  /** Default write timeout. */
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The system property that overrides the read timeout of every platform client built from then
   * on: seconds, decimals allowed (e.g. {@code 30} or {@code 0.5}). For networks where 60 s is too
   * long to notice a stalled answer, and for tests that inject one.
   */
  public static final String READ_TIMEOUT_PROPERTY = "kindling.http.read-timeout";

  private static final String USER_AGENT = "kindling-java/" + version();

  private static final Interceptor USER_AGENT_INTERCEPTOR =
      chain ->
          chain.request().header("User-Agent") != null
              ? chain.proceed(chain.request())
              : chain.proceed(
                  chain.request().newBuilder().header("User-Agent", USER_AGENT).build());

  private HttpClients() {}

  /**
   * The shared base client: pool, dispatcher and default timeouts, no interceptors. Use it only
   * through {@link #builder()} or {@code newBuilder()}, so variants share its pool.
   */
  public static OkHttpClient shared() {
    return Shared.CLIENT;
  }

  /** A builder of a platform client over {@link #shared()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client for one platform with the default retry policy and the given tokens (cached).
   *
   * @param platform the platform id, e.g. {@code fabric}; used in messages
   * @param tokens where bearer tokens come from
   * @param scope the token scope
   */
  public static OkHttpClient forPlatform(String platform, TokenProvider tokens, String scope) {
    return builder().platform(platform).auth(tokens, scope).build();
  }

  /** The {@code User-Agent} sent: {@code kindling-java/<version>}. */
  public static String userAgent() {
    return USER_AGENT;
  }

  /** The read timeout set with {@link #READ_TIMEOUT_PROPERTY}, if any (ignored when invalid). */
  public static java.util.Optional<Duration> readTimeoutOverride() {
    String v = System.getProperty(READ_TIMEOUT_PROPERTY);
    if (v == null || v.isBlank()) {
      return java.util.Optional.empty();
    }
    try {
      double seconds = Double.parseDouble(v.trim());
      if (!(seconds > 0) || seconds > 86_400) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private static String version() {
    String v = HttpClients.class.getPackage().getImplementationVersion();
    return v == null || v.isBlank() ? "dev" : v;
  }

  private static final class Shared {
    static final OkHttpClient CLIENT =
        new OkHttpClient.Builder()
            .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
            .readTimeout(DEFAULT_READ_TIMEOUT)
            .writeTimeout(DEFAULT_WRITE_TIMEOUT)
            .callTimeout(Duration.ZERO)
            // OkHttp would silently resend any request, POST included, after some connection
            // failures; our RetryInterceptor decides instead, knowing which calls are safe.
            .retryOnConnectionFailure(false)
            .socketFactory(new NoDelaySocketFactory(javax.net.SocketFactory.getDefault()))
            .build();
  }

  /** Builds a platform variant of the shared client. Not thread-safe; the client it builds is. */
  public static final class Builder {
    private OkHttpClient base;
    private String platform;
    private TokenProvider tokens;
    private String scope;
    private boolean cacheTokens = true;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Scheduler scheduler;
    private RandomGenerator random;
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration writeTimeout;
    private Duration callTimeout;
    private boolean logging = true;

    private Builder() {}

    /** The client to derive from; default {@link HttpClients#shared()}. */
    public Builder base(OkHttpClient base) {
      this.base = Objects.requireNonNull(base, "base");
      return this;
    }

    /** The platform id used in log lines and exceptions, e.g. {@code databricks}. */
    public Builder platform(String platform) {
      this.platform = platform;
      return this;
    }

    /**
     * Sends bearer tokens for {@code scope} from {@code tokens}. Tokens are cached (refreshed 5
     * minutes before expiry) unless {@code tokens} is a {@link StaticTokenProvider} or a {@link
     * CachingTokenProvider} already, or {@link #cacheTokens(boolean)} turns that off.
     */
    public Builder auth(TokenProvider tokens, String scope) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      this.scope = Objects.requireNonNull(scope, "scope");
      return this;
    }

    /** Whether to wrap the token provider in a {@link CachingTokenProvider} (default yes). */
    public Builder cacheTokens(boolean cacheTokens) {
      this.cacheTokens = cacheTokens;
      return this;
    }

    /** The retry policy; default {@link RetryPolicy#defaults()}. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** The time source for retry waits and token expiry; default {@link SystemScheduler}. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The source of retry jitter (must be thread-safe); default a thread-local random. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Overrides the connect timeout (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Overrides the read timeout (default 60 s). */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Overrides the write timeout (default 60 s). */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets a call timeout (default none). It covers the whole call, retries and the waits between
     * them included.
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Whether to add the redacting DEBUG logger (default yes; it costs nothing when off). */
    public Builder logging(boolean logging) {
      this.logging = logging;
      return this;
    }

    /** The client. Cheap: it shares the base client's pool and dispatcher. */
    public OkHttpClient build() {
      Scheduler time = scheduler != null ? scheduler : SystemScheduler.get();
      OkHttpClient.Builder b = (base != null ? base : shared()).newBuilder();
      if (connectTimeout != null) {
        b.connectTimeout(connectTimeout);
      }
      Duration read = readTimeout != null ? readTimeout : readTimeoutOverride().orElse(null);
      if (read != null) {
        b.readTimeout(read);
      }
      if (writeTimeout != null) {
        b.writeTimeout(writeTimeout);
      }
      if (callTimeout != null) {
        b.callTimeout(callTimeout);
      }
      b.addInterceptor(USER_AGENT_INTERCEPTOR);
      b.addInterceptor(
          new RetryInterceptor(
              retryPolicy,
              time,
              random != null ? random : RetryInterceptor.THREAD_LOCAL_RANDOM,
              platform));
      if (tokens != null) {
        b.addInterceptor(new AuthInterceptor(cached(tokens, time), scope));
      }
      if (logging) {
        b.addNetworkInterceptor(new RedactingLoggingInterceptor());
      }
      return b.build();
    }

    private TokenProvider cached(TokenProvider provider, Scheduler time) {
      if (!cacheTokens
          || provider instanceof StaticTokenProvider
          || provider instanceof CachingTokenProvider) {
        return provider;
      }
      return new CachingTokenProvider(provider, time);
    }
  }
}
