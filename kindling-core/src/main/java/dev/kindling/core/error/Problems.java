package dev.kindling.core.error;

import java.util.ArrayList;
import java.util.List;

/** Collects problems so that validation can report every one of them at once. */
public final class Problems {
  private final List<Problem> list = new ArrayList<>();

  public Problems add(String location, String message) {
    list.add(Problem.of(location, message));
    return this;
  }

  public Problems add(String location, String message, String fix) {
    list.add(Problem.of(location, message, fix));
    return this;
  }

  public Problems add(Problem problem) {
    list.add(problem);
    return this;
  }

  public Problems addAll(List<Problem> problems) {
    list.addAll(problems);
    return this;
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<Problem> asList() {
    return List.copyOf(list);
  }

  /** Throws a {@link ValidationException} with every collected problem, if there is any. */
  public void throwIfAny() {
    if (!list.isEmpty()) {
      throw new ValidationException(list);
    }
  }
}
