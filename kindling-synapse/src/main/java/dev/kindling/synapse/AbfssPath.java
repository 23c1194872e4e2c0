package dev.kindling.synapse;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ADLS Gen2 location as Spark addresses it: {@code
 * abfss://<filesystem>@<account>.dfs.core.windows.net/<path>}.
 *
 * @param filesystem the container (file system) name
 * @param host the storage host, e.g. {@code myaccount.dfs.core.windows.net}
 * @param path the directory below the file system, without leading or trailing {@code /}; may be
 *     empty
 */
public record AbfssPath(String filesystem, String host, String path) {
  private static final Pattern FORM =
      Pattern.compile("abfss://([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?)@([A-Za-z0-9.-]+)(/.*)?");

  public AbfssPath {
    Objects.requireNonNull(filesystem, "filesystem");
    Objects.requireNonNull(host, "host");
    path = strip(Objects.requireNonNull(path, "path"));
  }

  /**
   * Parses {@code abfss://fs@account.dfs.core.windows.net/dir}; empty when it is not of that form.
   */
  public static Optional<AbfssPath> tryParse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    String p = m.group(3) == null ? "" : m.group(3);
    if (p.contains("//") || p.contains("/../") || p.endsWith("/..") || p.contains("?")) {
      return Optional.empty();
    }
    return Optional.of(new AbfssPath(m.group(1), m.group(2).toLowerCase(Locale.ROOT), p));
  }

  /** The storage account name: the first label of the host. */
  public String account() {
    int dot = host.indexOf('.');
    return dot < 0 ? host : host.substring(0, dot);
  }

  /** The DFS endpoint of the account: {@code https://<host>}. */
  public URI dfsEndpoint() {
    return URI.create("https://" + host);
  }

  /** {@code abfss://fs@host} without a path: the root of the file system. */
  public String filesystemRoot() {
    return "abfss://" + filesystem + "@" + host;
  }

  /** The location of {@code relative} below this path. */
  public String resolve(String relative) {
    String r = strip(relative);
    String base = toString();
    return r.isEmpty() ? base : base + "/" + r;
  }

  @Override
  public String toString() {
    return filesystemRoot() + (path.isEmpty() ? "" : "/" + path);
  }

  private static String strip(String p) {
    String s = p;
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }
}
