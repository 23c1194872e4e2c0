package dev.kindling.core.config;

import dev.kindling.core.error.Problems;
import dev.kindling.core.run.RunState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a run that ends badly is run again: the {@code retry:} block of a job config.
 *
 * <pre>{@code
 * retry:
 *   max_attempts: 3          # the first run counts: at most 2 re-runs
 *   backoff:
 *     initial: 30s           # wait before the 2nd attempt
 *     max: 10m               # the wait never grows beyond this
 *     multiplier: 2          # each wait is the previous one times this
 *   on: [FAILED, TIMED_OUT]  # which endings are retried (default: FAILED)
 * }</pre>
 *
 * <p>A platform with native retries maps it onto them (Databricks: task {@code max_retries}, {@code
 * min_retry_interval_millis}, {@code retry_on_timeout}); elsewhere Kindling's wait loop submits the
 * run again. A run cancelled by a user is never retried: {@code CANCELLED} is not allowed in {@code
 * on}.
 *
 * @param maxAttempts attempts in all, the first one included; at least 1
 * @param initialBackoff the wait before the second attempt
 * @param maxBackoff the longest wait
 * @param multiplier each wait is the previous one times this; at least 1
 * @param on the terminal states that are retried: {@link RunState#FAILED} and/or {@link
 *     RunState#TIMED_OUT}
 */
public record RunRetry(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    Set<RunState> on) {

  /** The keys of {@code retry}. */
  public static final List<String> KEYS = List.of("max_attempts", "backoff", "on");

  /** The keys of {@code retry.backoff}. */
  public static final List<String> BACKOFF_KEYS = List.of("initial", "max", "multiplier");

  /** The states {@code on} may name. */
  public static final Set<RunState> RETRYABLE = EnumSet.of(RunState.FAILED, RunState.TIMED_OUT);

  /** No retry: one attempt. */
  public static final RunRetry NONE =
      new RunRetry(1, Duration.ofSeconds(30), Duration.ofMinutes(10), 2.0, Set.of(RunState.FAILED));

  public RunRetry {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    on = Set.copyOf(Objects.requireNonNull(on, "on"));
  }

  /**
   * {@code maxAttempts} attempts on FAILED, waiting {@code initial} doubled each time, at most 10
   * min.
   */
  public static RunRetry attempts(int maxAttempts, Duration initial) {
    return new RunRetry(maxAttempts, initial, Duration.ofMinutes(10), 2.0, Set.of(RunState.FAILED));
  }

  /** The same policy retrying on {@code states}. */
  public RunRetry on(RunState... states) {
    return new RunRetry(maxAttempts, initialBackoff, maxBackoff, multiplier, Set.of(states));
  }

  /** True if a run that ended {@code state} after attempt {@code attempt} (1-based) runs again. */
  public boolean retries(RunState state, int attempt) {
    return attempt < maxAttempts && on.contains(state) && state != RunState.CANCELLED;
  }

  /** The wait before attempt {@code attempt + 1}, after attempt {@code attempt} (1-based). */
  public Duration backoffAfter(int attempt) {
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
    return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
  }

  /** Every problem of this policy, with locations under {@code retry}. */
  public void validate(Problems problems) {
    if (maxAttempts < 1) {
      problems.add(
          "retry.max_attempts",
          "`retry.max_attempts` must be at least 1, not " + maxAttempts,
          "use 1 (no retry) or more");
    }
    if (initialBackoff.isNegative()) {
      problems.add("retry.backoff.initial", "must not be negative", "use e.g. 30s");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      problems.add(
          "retry.backoff.max",
          "`retry.backoff.max` ("
              + maxBackoff
              + ") is shorter than `initial` ("
              + initialBackoff
              + ")",
          "make max at least initial");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      problems.add(
          "retry.backoff.multiplier",
          "`retry.backoff.multiplier` must be a number of at least 1, not " + multiplier,
          "use e.g. 2");
    }
    if (on.isEmpty()) {
      problems.add("retry.on", "`retry.on` is empty", "list FAILED and/or TIMED_OUT");
    }
    for (RunState s : on) {
      if (!RETRYABLE.contains(s)) {
        problems.add(
            "retry.on",
            "`"
                + s
                + "` cannot be retried"
                + (s == RunState.CANCELLED ? ": a cancel is final" : ""),
            "use FAILED and/or TIMED_OUT");
      }
    }
  }

  /** As YAML would write it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("max_attempts", maxAttempts);
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("initial", format(initialBackoff));
    b.put("max", format(maxBackoff));
    b.put("multiplier", multiplier);
    m.put("backoff", b);
    m.put("on", on.stream().sorted().map(Enum::name).toList());
    return m;
  }

  private static String format(Duration d) {
    if (d.toMillisPart() != 0 || d.isZero()) {
      return d.toMillis() + "ms";
    }
    return d.toSeconds() + "s";
  }

  /**
   * Reads {@code retry} from YAML-like values, adding every problem (under {@code at}) to {@code
   * problems}; empty when it has a problem.
   */
  static Optional<RunRetry> read(String at, Object v, Problems problems) {
    if (v instanceof RunRetry r) {
      return Optional.of(r);
    }
    if (!(v instanceof Map<?, ?> map)) {
      problems.add(
          at,
          "`retry` must be a mapping with " + String.join(", ", KEYS) + ", not " + Values.kind(v),
          "e.g. retry: {max_attempts: 3, backoff: {initial: 30s}, on: [FAILED]}");
      return Optional.empty();
    }
    Problems own = new Problems();
    for (Object k : map.keySet()) {
      String key = String.valueOf(k);
      if (!KEYS.contains(key)) {
        own.add(
            at + "." + key,
            "unknown key `" + key + "`",
            Suggestions.didYouMean(key, KEYS).orElse("retry keys are " + String.join(", ", KEYS)));
      }
    }
    int max = NONE.maxAttempts();
    Object ma = map.get("max_attempts");
    if (ma == null) {
      own.add(at + ".max_attempts", "`retry.max_attempts` is required", "e.g. max_attempts: 3");
    } else if (Values.wholeNumber(ma).isEmpty()
        || Values.wholeNumber(ma).getAsLong() < 1
        || Values.wholeNumber(ma).getAsLong() > 1000) {
      own.add(
          at + ".max_attempts",
          "`retry.max_attempts` must be a whole number from 1 to 1000, not " + Values.show(ma),
          "e.g. max_attempts: 3");
    } else {
      max = (int) Values.wholeNumber(ma).getAsLong();
    }
    Duration initial = NONE.initialBackoff();
    Duration maxBackoff = NONE.maxBackoff();
    double multiplier = NONE.multiplier();
    Object backoff = map.get("backoff");
    if (backoff instanceof Map<?, ?> b) {
      for (Object k : b.keySet()) {
        String key = String.valueOf(k);
        if (!BACKOFF_KEYS.contains(key)) {
          own.add(
              at + ".backoff." + key,
              "unknown key `" + key + "`",
              Suggestions.didYouMean(key, BACKOFF_KEYS)
                  .orElse("backoff keys are " + String.join(", ", BACKOFF_KEYS)));
        }
      }
      initial = duration(at + ".backoff.initial", b.get("initial"), initial, own);
      maxBackoff = duration(at + ".backoff.max", b.get("max"), maxBackoff, own);
      Object m = b.get("multiplier");
      if (m != null) {
        try {
          multiplier = Double.parseDouble(Values.text(m));
        } catch (NumberFormatException e) {
          own.add(
              at + ".backoff.multiplier",
              "`retry.backoff.multiplier` must be a number, not " + Values.show(m),
              "e.g. multiplier: 2");
        }
      }
    } else if (backoff != null) {
      own.add(
          at + ".backoff",
          "`retry.backoff` must be a mapping, not " + Values.kind(backoff),
          "e.g. backoff: {initial: 30s, max: 10m, multiplier: 2}");
    }
    Set<RunState> on = EnumSet.of(RunState.FAILED);
    Object o = map.get("on");
    if (o != null) {
      Collection<?> items = o instanceof Collection<?> c ? c : List.of(o);
      List<RunState> states = new ArrayList<>();
      for (Object item : items) {
        String name =
            Values.isScalar(item) ? Values.text(item).trim().toUpperCase(Locale.ROOT) : "";
        try {
          states.add(RunState.valueOf(name));
        } catch (IllegalArgumentException e) {
          own.add(
              at + ".on",
              "`"
                  + (Values.isScalar(item) ? Values.text(item) : Values.kind(item))
                  + "` is not a run state",
              "use FAILED and/or TIMED_OUT");
        }
      }
      on = states.isEmpty() ? EnumSet.noneOf(RunState.class) : EnumSet.copyOf(states);
    }
    if (!own.isEmpty()) {
      problems.addAll(own.asList());
      return Optional.empty();
    }
    RunRetry retry = new RunRetry(max, initial, maxBackoff, multiplier, on);
    Problems rules = new Problems();
    retry.validate(rules);
    rules
        .asList()
        .forEach(
            p -> problems.add(at + p.location().substring("retry".length()), p.message(), p.fix()));
    return rules.isEmpty() ? Optional.of(retry) : Optional.empty();
  }

  private static Duration duration(String at, Object v, Duration fallback, Problems problems) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Duration d) {
      return d;
    }
    Optional<Duration> parsed = parseDuration(Values.isScalar(v) ? Values.text(v) : "");
    if (parsed.isEmpty()) {
      problems.add(
          at,
          "`" + at.substring(at.indexOf("retry")) + "` is " + Values.show(v) + ", not a duration",
          "use e.g. 500ms, 30s, 10m or 1h");
      return fallback;
    }
    return parsed.get();
  }

  /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h30m}, or a whole number of seconds. */
  static Optional<Duration> parseDuration(String text) {
    String v = text.trim().toLowerCase(Locale.ROOT);
    if (v.matches("[0-9]{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
    }
    return Durations.sum(v, false);
  }
}
