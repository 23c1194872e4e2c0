package dev.kindling.core.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/** Reading loosely typed values (from YAML, the CLI or Java maps) into typed ones. */
final class Values {
  private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]{1,18}");

  private Values() {}

  /** Text, a number or true/false. */
  static boolean isScalar(Object v) {
    return v instanceof String
        || v instanceof Number
        || v instanceof Boolean
        || v instanceof Character
        || v instanceof MemorySize;
  }

  /** The text of a scalar as it would be written in YAML. */
  static String text(Object v) {
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return String.valueOf(v);
  }

  /** A whole number: an integral Java number, or text made of digits only ({@code "4"}). */
  static OptionalLong wholeNumber(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return OptionalLong.of(((Number) v).longValue());
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? OptionalLong.of(b.longValue()) : OptionalLong.empty();
    }
    if (v instanceof String s && WHOLE.matcher(s.trim()).matches()) {
      return OptionalLong.of(Long.parseLong(s.trim()));
    }
    return OptionalLong.empty();
  }

  /** What kind of value {@code v} is, for messages that must not echo the value itself. */
  static String kind(Object v) {
    if (v == null) {
      return "no value";
    }
    if (v instanceof Map) {
      return "a mapping";
    }
    if (v instanceof Collection || v.getClass().isArray()) {
      return "a list";
    }
    if (v instanceof Boolean) {
      return "true/false";
    }
    if (v instanceof Number) {
      return "a number";
    }
    return "text";
  }

  /** The value for a message: scalars quoted in backticks, other values by their kind. */
  static String show(Object v) {
    return isScalar(v) ? "`" + text(v) + "`" : kind(v);
  }
}
