package dev.kindling.testkit.emulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Every request an emulator received, in order, for assertions ("the deploy made no call", "one job
 * was created"). Header values that carry credentials are never recorded. Thread-safe.
 */
public final class Journal {
  /**
   * One request.
   *
   * @param time when it arrived (the emulator's clock)
   * @param method HTTP method
   * @param path the decoded path
   * @param query the raw query string, or empty
   * @param status the status sent, or 0 when the connection was dropped by a fault
   * @param fault the name of the injected fault, or empty
   * @param headers request headers without credentials (lower-case names)
   */
  public record Entry(
      Instant time,
      String method,
      String path,
      String query,
      int status,
      String fault,
      Map<String, String> headers) {
    public Entry {
      headers = Map.copyOf(headers);
    }

    /** {@code METHOD path?query -> status}. */
    @Override
    public String toString() {
      return method
          + " "
          + path
          + (query.isEmpty() ? "" : "?" + query)
          + " -> "
          + (status == 0 ? "dropped" : status)
          + (fault.isEmpty() ? "" : " [" + fault + "]");
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  synchronized void add(Entry e) {
    entries.add(e);
  }

  /** Every entry so far. */
  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The entries matching {@code filter}. */
  public synchronized List<Entry> entries(Predicate<Entry> filter) {
    return entries.stream().filter(filter).toList();
  }

  /** The entries with this method whose path matches the regular expression. */
  public List<Entry> requests(String method, String pathRegex) {
    Pattern p = Pattern.compile(pathRegex);
    return entries(e -> e.method().equals(method) && p.matcher(e.path()).matches());
  }

  /** How many requests arrived. */
  public synchronized int size() {
    return entries.size();
  }

  public synchronized boolean isEmpty() {
    return entries.isEmpty();
  }

  public synchronized void clear() {
    entries.clear();
  }

  @Override
  public synchronized String toString() {
    StringBuilder sb = new StringBuilder();
    entries.forEach(e -> sb.append(e).append('\n'));
    return sb.toString();
  }
}
