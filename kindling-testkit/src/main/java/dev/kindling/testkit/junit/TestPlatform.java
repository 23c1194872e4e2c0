package dev.kindling.testkit.junit;

/**
 * A platform a {@link KindlingTest} can run against: the in-memory fake, or one of the emulators.
 * Use with {@code @EnumSource(TestPlatform.class)} to run a test on each.
 */
public enum TestPlatform {
  /** The testkit's {@link dev.kindling.testkit.FakePlatformService}: in memory, scripted runs. */
  FAKE("fake"),
  /** The Fabric emulator. */
  FABRIC("fabric"),
  /** The Databricks emulator. */
  DATABRICKS("databricks"),
  /** The Synapse emulator. */
  SYNAPSE("synapse");

  private final String id;

  TestPlatform(String id) {
    this.id = id;
  }

  /** The platform id ({@code fake}, {@code fabric}, ...). */
  public String id() {
    return id;
  }

  /** Whether this platform is served by an HTTP emulator (everything but {@link #FAKE}). */
  public boolean emulated() {
    return this != FAKE;
  }
}
