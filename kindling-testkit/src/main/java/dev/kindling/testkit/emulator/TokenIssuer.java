package dev.kindling.testkit.emulator;

import dev.kindling.testkit.emulator.EmulatorServer.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An OAuth 2.0 token endpoint for the emulators ({@code POST /oauth2/v2.0/token} and {@code POST
 * /{tenant}/oauth2/v2.0/token}, client-credentials grant, the Entra ID shape) whose tokens expire
 * after a lifetime measured on an injected clock: a test moves its fake clock and the tokens an
 * emulator accepts expire, so a long wait must refresh them. An emulator given an issuer accepts
 * its unexpired tokens for the right audience besides its static token, and answers 401 to an
 * expired one. Records which tokens were presented. Thread-safe.
 */
public final class TokenIssuer {
  /** The path regex of the token endpoint (an optional tenant segment first). */
  public static final String PATH = "(?:/[^/]+)?/oauth2/v2\\.0/token";

  /** The audience of storage tokens (OneLake, ADLS); every other scope is {@link #API}. */
  public static final String STORAGE = "storage";

  /** The audience of platform API tokens. */
  public static final String API = "api";

  /** What an emulator makes of a presented token. */
  public enum Verdict {
    /** Issued here, for this audience, not expired. */
    VALID,
    /** Issued here, for this audience, expired. */
    EXPIRED,
    /** Not issued here, or for another audience. */
    UNKNOWN,
    /**
     * Issued here, for this audience, not expired, but revoked (as continuous access evaluation
     * does after a sign-out or a policy change): refused with 401, like an expired one.
     */
    REVOKED
  }

  private record Issued(String audience, Instant expiresAt) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Supplier<Instant> clock;
  private final Duration lifetime;
  private final Map<String, Issued> issued = new ConcurrentHashMap<>();
  private final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private final AtomicInteger expiredRejections = new AtomicInteger();
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger revokedRejections = new AtomicInteger();

  /**
   * @param clock the time tokens expire by (a test's fake clock)
   * @param lifetime how long a token is valid after it is issued
   */
  public TokenIssuer(Supplier<Instant> clock, Duration lifetime) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("lifetime must be positive: " + lifetime);
    }
  }

  /** Answers token requests on {@code server}, ahead of its other routes. */
  public void register(EmulatorServer server) {
    server.routeFirst("POST", PATH, this::token);
  }

  private Response token(EmulatorServer.Request r) throws java.io.IOException {
    Map<String, String> form = form(r.text());
    if (!"client_credentials".equals(form.get("grant_type"))) {
      return Response.json(
          400,
          Map.of(
              "error",
              "unsupported_grant_type",
              "error_description",
              "AADSTS70003: only grant_type=client_credentials is emulated"));
    }
    if (form.getOrDefault("client_id", "").isEmpty()
        || form.getOrDefault("client_secret", "").isEmpty()) {
      return Response.json(
          401,
          Map.of(
              "error",
              "invalid_client",
              "error_description",
              "AADSTS7000215: client_id and client_secret are required"));
    }
    String scope = form.getOrDefault("scope", "");
    String token = issue(scope.contains("storage.azure.com") ? STORAGE : API);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token_type", "Bearer");
    body.put("expires_in", lifetime.toSeconds());
    body.put("expires_on", issued.get(token).expiresAt().getEpochSecond());
    body.put("access_token", token);
    return Response.json(200, body);
  }

  /** Issues a new token for {@code audience}, valid for the lifetime from now. */
  public String issue(String audience) {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    String token = "issued-" + audience + "-" + HexFormat.of().formatHex(b);
    issued.put(token, new Issued(audience, clock.get().plus(lifetime)));
    return token;
  }

  /** Checks a presented token; records it when it is valid and counts expired ones. */
  public Verdict check(String token, String audience) {
    Issued i = token == null ? null : issued.get(token);
    if (i == null || !i.audience().equals(audience)) {
      return Verdict.UNKNOWN;
    }
    if (!clock.get().isBefore(i.expiresAt())) {
      expiredRejections.incrementAndGet();
      return Verdict.EXPIRED;
    }
    if (revoked.contains(token)) {
      revokedRejections.incrementAndGet();
      return Verdict.REVOKED;
    }
    accepted.add(token);
    return Verdict.VALID;
  }

  /**
   * Revokes every token issued so far, before its expiry: from now on they are refused ({@link
   * Verdict#REVOKED}); tokens issued later are not affected.
   */
  public void revokeIssued() {
    revoked.addAll(issued.keySet());
  }

  /** How many presented tokens were refused because they were revoked. */
  public int revokedRejections() {
    return revokedRejections.get();
  }

  /** How many tokens were issued. */
  public int issuedCount() {
    return issued.size();
  }

  /** Every token issued (for a test's secret scan). */
  public Set<String> issued() {
    return Set.copyOf(issued.keySet());
  }

  /** The distinct tokens that were presented and accepted. */
  public Set<String> accepted() {
    return Set.copyOf(accepted);
  }

  /** How many requests presented an expired token. */
  public int expiredRejections() {
    return expiredRejections.get();
  }

  public Duration lifetime() {
    return lifetime;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : body.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      m.put(k, v);
    }
    return m;
  }

  @Override
  public String toString() {
    return "TokenIssuer{lifetime=" + lifetime + ", issued=" + issued.size() + "}";
  }
}
