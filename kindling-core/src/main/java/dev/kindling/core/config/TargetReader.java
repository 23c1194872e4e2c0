package dev.kindling.core.config;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one target of {@code kindling.yaml}: substitutes {@code ${env:...}}, splits the keys into
 * platform, auth, job defaults and settings, and collects every problem of the target.
 */
final class TargetReader {
  private static final Logger LOG = LoggerFactory.getLogger(TargetReader.class);

  /** The keys of an {@code auth:} block. */
  static final List<String> AUTH_KEYS =
      List.of(
          "method", "token", "storage_token", "tenant_id", "client_id", "client_secret", "profile");

  private static final Set<String> SECRET_AUTH_KEYS =
      Set.of("token", "storage_token", "client_secret");
  private static final List<String> RESERVED = List.of("platform", "auth");
  private static final List<String> METHODS =
      Arrays.stream(AuthConfig.Method.values())
          .map(m -> m.name().toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableList());
  private static final Object UNRESOLVED = new Object();

  /**
   * The target, or null when it has problems; and the draft: the target as far as it could be read
   * (platform, settings, auth), or null when not even the platform is known.
   */
  record Result(TargetConfig target, TargetConfig draft, List<Problem> problems) {}

  private final String name;
  private final String location;
  private final Map<String, String> env;
  private final TargetConfig builtin;
  private final Problems problems = new Problems();
  private TargetConfig draft;

  private TargetReader(
      String name, String location, Map<String, String> env, TargetConfig builtin) {
    this.name = name;
    this.location = location;
    this.env = env;
    this.builtin = builtin;
  }

  /**
   * @param location the target's location, e.g. {@code kindling.yaml: targets.dev}
   * @param builtin the built-in target of that name, whose platform and auth are the defaults; may
   *     be null
   */
  static Result read(
      String name, Object raw, String location, Map<String, String> env, TargetConfig builtin) {
    TargetReader r = new TargetReader(name, location, env, builtin);
    TargetConfig target = r.read(raw);
    List<Problem> found = r.problems.asList();
    return found.isEmpty()
        ? new Result(target, target, List.of())
        : new Result(null, r.draft, found);
  }

  private TargetConfig read(Object raw) {
    if (!(raw instanceof Map<?, ?> map)) {
      problems.add(
          location,
          raw == null
              ? "target `" + name + "` is empty"
              : "target `" + name + "` must be a mapping of keys, not " + Values.kind(raw),
          "give it at least `platform: <id>`");
      return null;
    }
    String platform = builtin == null ? null : builtin.platform();
    boolean platformGiven = false;
    AuthConfig auth = builtin == null ? AuthConfig.defaults() : builtin.auth();
    Map<String, Object> jobKeys = new LinkedHashMap<>();
    Map<String, Object> settings = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      Object v = e.getValue();
      if (key.equals("platform")) {
        platformGiven = true;
        platform = platform(v);
      } else if (key.equals("auth")) {
        auth = auth(v);
      } else if (JobConfig.KEYS.contains(key)) {
        Object resolved = resolveDeep(v, key);
        if (resolved != UNRESOLVED) {
          jobKeys.put(key, resolved);
        }
      } else if (AUTH_KEYS.contains(key)) {
        problems.add(
            at(key), "`" + key + "` belongs under `auth:`", "move it into the target's auth block");
      } else if (Suggestions.closestWithin(key, RESERVED, 1).isPresent()) {
        problems.add(
            at(key),
            "unknown key `" + key + "`",
            "did you mean `" + Suggestions.closestWithin(key, RESERVED, 1).orElseThrow() + "`?");
      } else {
        Object resolved = resolveDeep(v, key);
        if (resolved != UNRESOLVED) {
          settings.put(key, resolved);
        }
      }
    }
    if (!platformGiven && builtin == null) {
      problems.add(
          at("platform"),
          "`platform` is required",
          "add `platform: <id>` naming the platform this target deploys to");
    }
    JobConfig jobDefaults = JobConfig.fromMap(jobKeys, location, problems);
    if (platform != null) {
      draft =
          new TargetConfig(
              name, platform, settings, auth == null ? AuthConfig.defaults() : auth, jobDefaults);
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new TargetConfig(name, platform, settings, auth, jobDefaults);
  }

  private String at(String keyPath) {
    return Locations.at(location, keyPath);
  }

  private String platform(Object v) {
    Optional<String> text = text("platform", v);
    if (text.isPresent() && text.get().isBlank()) {
      problems.add(at("platform"), "`platform` is blank", "add `platform: <id>`");
      return null;
    }
    return text.map(String::trim).orElse(null);
  }

  private AuthConfig auth(Object v) {
    if (!(v instanceof Map<?, ?> m)) {
      problems.add(
          at("auth"),
          v == null ? "`auth` has no value" : "`auth` must be a mapping, not " + Values.kind(v),
          "write e.g. `auth: {method: azure_cli}`, or remove it for the default method");
      return null;
    }
    for (Object k : m.keySet()) {
      String key = String.valueOf(k);
      if (!AUTH_KEYS.contains(key)) {
        problems.add(
            at("auth." + key),
            "unknown auth key `" + key + "`",
            Suggestions.didYouMean(key, AUTH_KEYS)
                .orElse("auth keys are " + String.join(", ", AUTH_KEYS)));
      }
    }
    AuthConfig.Method method = m.containsKey("method") ? method(m.get("method")) : null;
    Set<String> failed = new HashSet<>();
    Optional<Secret> token = secret(m, "token", failed);
    Optional<Secret> storageToken = secret(m, "storage_token", failed);
    Optional<String> tenantId = plain(m, "tenant_id", failed);
    Optional<String> clientId = plain(m, "client_id", failed);
    Optional<Secret> clientSecret = secret(m, "client_secret", failed);
    Optional<String> profile = plain(m, "profile", failed);
    if (m.containsKey("method") && method == null) {
      return null; // unknown method, reported; the combinations below would only add noise
    }
    AuthConfig auth =
        new AuthConfig(
            method == null ? AuthConfig.Method.DEFAULT : method,
            token,
            storageToken,
            tenantId,
            clientId,
            clientSecret,
            profile);
    checkCombination(auth, failed);
    return auth;
  }

  /** Fields a method needs, and fields only another method uses. Failed fields are skipped. */
  private void checkCombination(AuthConfig a, Set<String> failed) {
    AuthConfig.Method method = a.method();
    Map<String, Boolean> set = new LinkedHashMap<>();
    set.put("token", a.token().isPresent());
    set.put("storage_token", a.storageToken().isPresent());
    set.put("tenant_id", a.tenantId().isPresent());
    set.put("client_id", a.clientId().isPresent());
    set.put("client_secret", a.clientSecret().isPresent());
    set.put("profile", a.profile().isPresent());
    List<String> needed =
        switch (method) {
          case TOKEN -> List.of("token");
          case CLIENT_SECRET -> List.of("tenant_id", "client_id", "client_secret");
          default -> List.of();
        };
    String name = method.name().toLowerCase(Locale.ROOT);
    for (String key : needed) {
      if (!set.get(key) && !failed.contains(key)) {
        problems.add(
            at("auth." + key),
            "auth method " + name + " needs `auth." + key + "`, which is missing or empty",
            SECRET_AUTH_KEYS.contains(key)
                ? "add auth." + key + ": ${env:NAME} with NAME an environment variable holding it"
                : "add auth." + key);
      }
    }
    Map<String, AuthConfig.Method> owners =
        Map.of(
            "token", AuthConfig.Method.TOKEN,
            "client_secret", AuthConfig.Method.CLIENT_SECRET,
            "profile", AuthConfig.Method.DATABRICKS_PROFILE);
    set.forEach(
        (key, present) -> {
          AuthConfig.Method owner = owners.get(key);
          if (!present) {
            return;
          }
          if (owner != null && owner != method) {
            String ownerName = owner.name().toLowerCase(Locale.ROOT);
            problems.add(
                at("auth." + key),
                "`auth." + key + "` is only used by auth method " + ownerName + ", not " + name,
                "set `auth.method: " + ownerName + "` or remove auth." + key);
          } else if (owner == null && method == AuthConfig.Method.NONE) {
            problems.add(
                at("auth." + key),
                "`auth." + key + "` is set but auth method none uses no credentials",
                "remove auth." + key + " or choose another auth.method");
          }
        });
  }

  private AuthConfig.Method method(Object v) {
    Optional<String> text = text("auth.method", v);
    if (text.isEmpty()) {
      return null;
    }
    String normalized = text.get().trim().toLowerCase(Locale.ROOT).replace('-', '_');
    if (METHODS.contains(normalized)) {
      return AuthConfig.Method.valueOf(normalized.toUpperCase(Locale.ROOT));
    }
    String shown = text.get().matches("[A-Za-z0-9_ -]{1,40}") ? " `" + text.get() + "`" : "";
    problems.add(
        at("auth.method"),
        "unknown auth method" + shown,
        Suggestions.didYouMean(normalized, METHODS)
            .map(s -> s + " ")
            .orElse("")
            .concat("methods are " + String.join(", ", METHODS)));
    return null;
  }

  /**
   * A secret auth field; empty when absent or empty ({@code ${env:X:-}} makes one optional), or
   * after a problem, when its key is added to {@code failed}. Its value never appears in a problem
   * or a log line.
   */
  private Optional<Secret> secret(Map<?, ?> m, String key, Set<String> failed) {
    if (!m.containsKey(key)) {
      return Optional.empty();
    }
    Object v = m.get(key);
    String path = "auth." + key;
    if (!Values.isScalar(v)) {
      failed.add(key);
      problems.add(
          at(path),
          "`" + path + "` must be text, not " + Values.kind(v),
          v == null
              ? "give it a value, e.g. ${env:NAME}"
              : "write a single value, e.g. ${env:NAME}");
      return Optional.empty();
    }
    String raw = Values.text(v);
    Optional<String> value;
    if (EnvReferences.hasReference(raw)) {
      value = EnvReferences.resolve(raw, env, at(path), path, problems);
      if (value.isEmpty()) {
        failed.add(key);
      }
    } else {
      if (!raw.isEmpty()) {
        LOG.warn(
            "{}: the secret is written in the file; use ${env:NAME} so that it stays out of the"
                + " file and version control",
            at(path));
      }
      value = Optional.of(raw);
    }
    return value.filter(x -> !x.isEmpty()).map(Secret::of);
  }

  /** A non-secret auth field; empty when absent or blank, or after a problem. */
  private Optional<String> plain(Map<?, ?> m, String key, Set<String> failed) {
    if (!m.containsKey(key)) {
      return Optional.empty();
    }
    int before = problems.asList().size();
    Optional<String> text = text("auth." + key, m.get(key));
    if (problems.asList().size() > before) {
      failed.add(key);
    }
    return text.filter(x -> !x.isBlank());
  }

  /** A text value, {@code ${env:...}} substituted; empty after a problem. */
  private Optional<String> text(String path, Object v) {
    if (!Values.isScalar(v)) {
      problems.add(
          at(path),
          "`" + path + "` must be text, not " + Values.kind(v),
          v == null ? "give it a value or remove it" : "write a single value");
      return Optional.empty();
    }
    Object resolved = resolveDeep(v, path);
    return resolved == UNRESOLVED ? Optional.empty() : Optional.of(Values.text(resolved));
  }

  /** {@code v} with every string substituted; {@link #UNRESOLVED} after a problem. */
  private Object resolveDeep(Object v, String path) {
    if (v instanceof String s) {
      if (!EnvReferences.hasReference(s)) {
        return s;
      }
      Optional<String> r = EnvReferences.resolve(s, env, at(path), path, problems);
      return r.isPresent() ? r.get() : UNRESOLVED;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = String.valueOf(e.getKey());
        Object child = resolveDeep(e.getValue(), path + "." + key);
        if (child != UNRESOLVED) {
          out.put(key, child);
        }
      }
      return Collections.unmodifiableMap(out);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (int i = 0; i < l.size(); i++) {
        Object child = resolveDeep(l.get(i), path + "[" + i + "]");
        if (child != UNRESOLVED) {
          out.add(child);
        }
      }
      return Collections.unmodifiableList(out);
    }
    return v;
  }
}
