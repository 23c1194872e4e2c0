package dev.kindling.core.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?" for misspelt keys, targets and methods. */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate {@code input} most likely stands for: the nearest one within two edits
   * (Damerau-Levenshtein, one edit for inputs of up to three characters), else the one sharing the
   * longest prefix of at least four characters with it. Case, {@code -}, {@code .} and camelCase do
   * not count as differences.
   */
  static Optional<String> closest(String input, Collection<String> candidates) {
    return closest(input, candidates, input == null || normalize(input).length() <= 3 ? 1 : 2);
  }

  /** Like {@link #closest(String, Collection)} with an explicit edit limit and no prefix rule. */
  static Optional<String> closestWithin(String input, Collection<String> candidates, int limit) {
    String in = normalize(input);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(in, normalize(c));
      if (d <= limit && d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  private static Optional<String> closest(String input, Collection<String> candidates, int limit) {
    if (input == null || normalize(input).isEmpty()) {
      return Optional.empty();
    }
    Optional<String> near = closestWithin(input, candidates, limit);
    if (near.isPresent()) {
      return near;
    }
    String in = normalize(input);
    String best = null;
    int bestPrefix = 3;
    for (String c : candidates) {
      String nc = normalize(c);
      int p = commonPrefix(in, nc);
      boolean oneStartsTheOther = p == in.length() || p == nc.length();
      if (oneStartsTheOther && p > bestPrefix) {
        best = c;
        bestPrefix = p;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@code "did you mean `x`?"}, or empty. */
  public static Optional<String> didYouMean(String input, Collection<String> candidates) {
    return closest(input, candidates).map(c -> "did you mean `" + c + "`?");
  }

  /** Lower case, {@code -}, {@code .} and spaces as {@code _}, camelCase split with {@code _}. */
  static String normalize(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 4);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isUpperCase(c)
          && i > 0
          && (Character.isLowerCase(s.charAt(i - 1)) || Character.isDigit(s.charAt(i - 1)))) {
        sb.append('_');
      }
      sb.append(c == '-' || c == '.' || c == ' ' ? '_' : c);
    }
    return sb.toString().toLowerCase(Locale.ROOT).trim();
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }
}
