package dev.kindling.testkit.junit;

import dev.kindling.core.Kindling;
import dev.kindling.testkit.FakePlatformService;
import dev.kindling.testkit.emulator.Emulator;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The platforms of one test: {@link #get(TestPlatform)} gives a {@link KindlingTarget}, starting
 * its emulator on first use in the test class. Injected by {@link KindlingTest} into fields and
 * parameters of this type.
 */
public final class KindlingTargets {
  private final EmulatorPool pool;
  private final Map<TestPlatform, KindlingTarget> used = new EnumMap<>(TestPlatform.class);

  KindlingTargets(EmulatorPool pool) {
    this.pool = pool;
  }

  /**
   * The target for {@code platform}. In live mode a platform other than the live target's (and not
   * the fake) aborts the test, so it shows as skipped.
   */
  public synchronized KindlingTarget get(TestPlatform platform) {
    KindlingTarget t = used.get(platform);
    if (t == null) {
      t = create(platform);
      used.put(platform, t);
    }
    return t;
  }

  /** Whether the tests run against a real target ({@code KINDLING_TARGET} is set). */
  public boolean live() {
    return pool.live().isPresent();
  }

  private KindlingTarget create(TestPlatform platform) {
    if (platform == TestPlatform.FAKE) {
      FakePlatformService fake = new FakePlatformService();
      return new KindlingTarget(platform, fake.kindling(), null, fake, false);
    }
    if (pool.live().isPresent()) {
      Kindling live = pool.live().get();
      Assumptions.assumeTrue(
          live.target().platform().equals(platform.id()),
          () ->
              "live mode: target "
                  + live.target().name()
                  + " is "
                  + live.target().platform()
                  + ", not "
                  + platform.id());
      return new KindlingTarget(platform, live, null, null, true);
    }
    EmulatorPool.Started s = pool.start(platform);
    Emulator emulator = s.emulator();
    return new KindlingTarget(platform, s.kindling(), emulator, null, false);
  }

  /** Cleans up every target the test used; throws the first failure with the others suppressed. */
  synchronized void cleanUp() {
    List<RuntimeException> failures = new ArrayList<>();
    for (KindlingTarget t : used.values()) {
      try {
        t.cleanUp();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    used.clear();
    if (!failures.isEmpty()) {
      RuntimeException first = failures.remove(0);
      failures.forEach(first::addSuppressed);
      throw first;
    }
  }

  @Override
  public String toString() {
    return "KindlingTargets" + used.values();
  }
}
