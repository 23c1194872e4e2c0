package dev.kindling.core.app;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks and renders relative {@code /}-separated paths: app file paths and archive entry names.
 */
final class PathNames {
  private PathNames() {}

  /**
   * Why {@code name} is not a safe relative path, or empty when it is. A safe path is relative,
   * uses {@code /} separators only, and has no empty, {@code .} or {@code ..} segments, no drive
   * letter, no {@code :} and no control characters.
   */
  static Optional<String> unsafeReason(String name) {
    if (name.isEmpty()) {
      return Optional.of("the name is empty");
    }
    if (name.startsWith("/") || name.startsWith("\\")) {
      return Optional.of("it is an absolute path (leading '" + name.charAt(0) + "')");
    }
    if (name.length() >= 2 && name.charAt(1) == ':' && isAsciiLetter(name.charAt(0))) {
      return Optional.of("it starts with a drive letter ('" + name.substring(0, 2) + "')");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return Optional.of("it contains a control character");
      }
      if (c == '\\') {
        return Optional.of("it contains a backslash; paths must use '/' separators");
      }
      if (c == ':') {
        return Optional.of("it contains ':', which Windows reads as a drive or a data stream");
      }
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty()) {
        return Optional.of("it has an empty path segment");
      }
      if (segment.equals("..")) {
        return Optional.of("it has a '..' segment, which would point outside the app");
      }
      if (segment.equals(".")) {
        return Optional.of("it has a '.' segment");
      }
    }
    return Optional.empty();
  }

  /** The {@code /}-separated form of {@code relative}. */
  static String posix(Path relative) {
    StringBuilder sb = new StringBuilder();
    for (Path part : relative) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part.toString());
    }
    return sb.toString();
  }

  /**
   * The key under which two paths collide on a case-insensitive file system (Windows, macOS) or
   * after Unicode normalization.
   */
  static String collisionKey(String path) {
    return Normalizer.normalize(path, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
  }

  /** {@code text} with control and other non-printable characters escaped, for messages. */
  static String printable(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            cp -> {
              if (cp < 0x20 || cp == 0x7f || !Character.isDefined(cp) || isInvisible(cp)) {
                sb.append(String.format(Locale.ROOT, "\\u%04X", cp));
              } else {
                sb.appendCodePoint(cp);
              }
            });
    return sb.toString();
  }

  /** Raw name bytes for a message: printable ASCII as is, every other byte as {@code \xNN}. */
  static String printable(byte[] raw) {
    StringBuilder sb = new StringBuilder(raw.length);
    for (byte b : raw) {
      int v = b & 0xff;
      if (v >= 0x20 && v < 0x7f) {
        sb.append((char) v);
      } else {
        sb.append(String.format(Locale.ROOT, "\\x%02X", v));
      }
    }
    return sb.toString();
  }

  /** Decodes strict UTF-8; empty when the bytes are not valid UTF-8. */
  static Optional<String> decodeUtf8(byte[] raw) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static boolean isInvisible(int cp) {
    int type = Character.getType(cp);
    return type == Character.FORMAT
        || type == Character.CONTROL
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
