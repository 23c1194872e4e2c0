package dev.kindling.testkit.junit;

import dev.kindling.core.Kindling;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.testkit.FakeCloud;
import dev.kindling.testkit.FakePlatformService;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One platform as a test sees it: its {@link Kindling}, deployer and service, and, when emulated,
 * the emulator with its journal and fault injection. Given out by {@link KindlingTargets}; valid
 * for the current test.
 */
public final class KindlingTarget {
  private final TestPlatform platform;
  private final Kindling kindling;
  private final Emulator emulator;
  private final FakePlatformService fake;
  private final boolean live;
  private final Set<String> jobsBefore;

  KindlingTarget(
      TestPlatform platform,
      Kindling kindling,
      Emulator emulator,
      FakePlatformService fake,
      boolean live) {
    this.platform = platform;
    this.kindling = kindling;
    this.emulator = emulator;
    this.fake = fake;
    this.live = live;
    // what existed before the test: only newer jobs are deleted after it
    this.jobsBefore = new HashSet<>();
    kindling.platform().listJobs().forEach(j -> jobsBefore.add(j.jobId()));
    if (emulator != null) {
      emulator.journal().clear();
    }
  }

  /** The platform. */
  public TestPlatform platform() {
    return platform;
  }

  /** Kindling for this platform's target. */
  public Kindling kindling() {
    return kindling;
  }

  /** The deployer. */
  public DataAppDeployer deployer() {
    return kindling.deployer();
  }

  /** The platform service under the deployer. */
  public PlatformService service() {
    return kindling.platform();
  }

  /** Whether this is a real target ({@code KINDLING_TARGET} is set), not an emulator or fake. */
  public boolean isLive() {
    return live;
  }

  /** The emulator, unless this is the fake or a live target. */
  public Optional<Emulator> emulator() {
    return Optional.ofNullable(emulator);
  }

  /** The fake's cloud (journal of calls, stored files, run scripts) when this is the fake. */
  public Optional<FakeCloud> fakeCloud() {
    return fake == null ? Optional.empty() : Optional.of(fake.cloud());
  }

  /**
   * The emulator's journal: every HTTP request since this test first asked for the target.
   *
   * @throws IllegalStateException on the fake (use {@link #fakeCloud()}{@code .calls()}) or live
   */
  public Journal journal() {
    return requireEmulator("journal()").journal();
  }

  /**
   * Injects a fault into the emulator; faults are cleared after the test.
   *
   * @throws IllegalStateException on the fake (script runs with {@link #fakeCloud()}) or live
   */
  public KindlingTarget inject(Fault fault) {
    requireEmulator("inject()").inject(fault);
    return this;
  }

  /** Deletes the jobs created since the test started, clears faults and latency. */
  void cleanUp() {
    if (emulator != null) {
      emulator.clearFaults();
      emulator.latency(Duration.ZERO);
    }
    List<RuntimeException> failures = new ArrayList<>();
    for (JobInfo job : kindling.platform().listJobs()) {
      if (!jobsBefore.contains(job.jobId())) {
        try {
          kindling.platform().deleteJob(job.jobId());
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }
    }
    if (!failures.isEmpty()) {
      RuntimeException e = new IllegalStateException("could not delete the test's jobs on " + this);
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  private Emulator requireEmulator(String what) {
    if (emulator == null) {
      throw new IllegalStateException(
          what
              + " needs an emulator; "
              + this
              + (fake != null ? " is the fake: use fakeCloud()" : " is a live target"));
    }
    return emulator;
  }

  /** {@code KindlingTarget{FABRIC emulator at http://127.0.0.1:port}}; never shows credentials. */
  @Override
  public String toString() {
    String where =
        live
            ? "live target " + kindling.target().name()
            : emulator != null ? "emulator at " + emulator.baseUrl() : "in-memory fake";
    return "KindlingTarget{" + platform + " " + where + "}";
  }
}
