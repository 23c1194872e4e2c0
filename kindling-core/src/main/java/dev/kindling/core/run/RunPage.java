package dev.kindling.core.run;

import java.util.List;
import java.util.Optional;

/**
 * One page of a job's run history, newest first.
 *
 * @param runs the runs on this page
 * @param nextPageToken pass it to get the next (older) page; empty on the last page
 */
public record RunPage(List<RunMetrics> runs, Optional<String> nextPageToken) {
  public RunPage {
    runs = List.copyOf(runs);
    nextPageToken =
        nextPageToken == null ? Optional.empty() : nextPageToken.filter(t -> !t.isEmpty());
  }

  /** The most runs a page may hold. */
  public static final int MAX_LIMIT = 100;

  /** The page size to use for a requested {@code limit} (1 to {@link #MAX_LIMIT}). */
  public static int clamp(int limit) {
    return Math.max(1, Math.min(MAX_LIMIT, limit));
  }

  /**
   * A page token for platforms that page in Kindling: the offset of the next run in the list, as
   * {@code o<offset>}.
   */
  public static String offsetToken(int offset) {
    return "o" + offset;
  }

  /**
   * The offset a token from {@link #offsetToken(int)} names; 0 for {@code null}.
   *
   * @throws dev.kindling.core.error.ValidationException for a token Kindling did not make
   */
  public static int offsetOf(String pageToken) {
    if (pageToken == null || pageToken.isEmpty()) {
      return 0;
    }
    if (pageToken.matches("o[0-9]{1,9}")) {
      return Integer.parseInt(pageToken.substring(1));
    }
    throw new dev.kindling.core.error.ValidationException(
        java.util.List.of(
            new dev.kindling.core.error.Problem(
                "page token",
                "'" + pageToken + "' is not a page token of this platform",
                "pass the next page token a previous page printed, or none for the first page")));
  }
}
