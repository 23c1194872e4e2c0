package dev.kindling.testkit.databricks;

import dev.kindling.testkit.databricks.ApiErrors.ApiException;
import dev.kindling.testkit.emulator.EmulatorServer;
import dev.kindling.testkit.emulator.TokenIssuer;
import java.util.Optional;

/** Checks the bearer token of every API request and turns {@link ApiException}s into answers. */
final class Auth {
  private final String token;
  private volatile TokenIssuer issuer;

  Auth(String token) {
    this.token = token;
  }

  void issuer(TokenIssuer issuer) {
    this.issuer = issuer;
  }

  EmulatorServer.Handler wrap(EmulatorServer.Handler h) {
    return r -> {
      Optional<String> bearer = r.bearer();
      if (bearer.isEmpty()) {
        return ApiErrors.error(
            401, "UNAUTHENTICATED", "Unable to authenticate: no credentials were sent.");
      }
      TokenIssuer i = issuer;
      TokenIssuer.Verdict v =
          i == null || bearer.get().equals(token)
              ? TokenIssuer.Verdict.UNKNOWN
              : i.check(bearer.get(), TokenIssuer.API);
      if (v == TokenIssuer.Verdict.EXPIRED) {
        return ApiErrors.error(401, "UNAUTHENTICATED", "Token expired.");
      }
      if (v == TokenIssuer.Verdict.REVOKED) {
        return ApiErrors.error(401, "UNAUTHENTICATED", "Token is no longer valid.");
      }
      if (!bearer.get().equals(token) && v != TokenIssuer.Verdict.VALID) {
        return ApiErrors.error(403, "PERMISSION_DENIED", "Invalid access token.");
      }
      try {
        return h.handle(r);
      } catch (ApiException e) {
        return e.response();
      } catch (NumberFormatException e) {
        return ApiErrors.invalid("Invalid number: " + e.getMessage());
      }
    };
  }
}
