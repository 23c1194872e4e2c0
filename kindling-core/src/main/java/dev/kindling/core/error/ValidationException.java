package dev.kindling.core.error;

import java.util.List;

/**
 * Bad input: an app, an archive or a config that cannot be deployed. Thrown before any network
 * call, with every problem found at once.
 */
public class ValidationException extends KindlingException {
  private static final long serialVersionUID = 1L;

  private final List<Problem> problems;

  public ValidationException(List<Problem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public ValidationException(Problem problem) {
    this(List.of(problem));
  }

  /** Every problem found, in the order found. Never empty. */
  public List<Problem> problems() {
    return problems;
  }

  private static String render(List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ValidationException needs at least one problem");
    }
    if (problems.size() == 1) {
      return problems.get(0).toString();
    }
    StringBuilder sb = new StringBuilder(problems.size() + " problems:");
    for (Problem p : problems) {
      sb.append("\n  - ").append(p);
    }
    return sb.toString();
  }
}
