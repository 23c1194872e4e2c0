package dev.kindling.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tests against Kindling platforms: starts the emulators a test asks for (once per test class, on
 * loopback ports), injects {@link KindlingTargets}, {@link KindlingTarget}s and their {@code
 * DataAppDeployer}, {@code PlatformService}, {@code Emulator} and {@code Journal} into fields and
 * parameters, and after each test deletes the jobs the test deployed and clears injected faults.
 *
 * <pre>{@code
 * @KindlingTest
 * class MyAppTest {
 *   @ParameterizedTest
 *   @EnumSource(TestPlatform.class)
 *   void deploys(TestPlatform platform, KindlingTargets targets) {
 *     var deployer = targets.get(platform).deployer();
 *     ...
 *   }
 *
 *   @Test
 *   void onFabric(@OnPlatform(TestPlatform.FABRIC) DataAppDeployer deployer) { ... }
 * }
 * }</pre>
 *
 * <p>Live mode: with the environment variable (or system property) {@code KINDLING_TARGET} set to a
 * target of {@code kindling.yaml} ({@code KINDLING_CONFIG} names another file), the platform of
 * that target is served by the real target instead of its emulator, the other emulated platforms
 * are skipped and the fake still runs. Only the jobs a test deployed are deleted after it.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(KindlingExtension.class)
public @interface KindlingTest {
  /**
   * The platform of injected fields and parameters that carry no {@link OnPlatform}: the fake by
   * default.
   */
  TestPlatform value() default TestPlatform.FAKE;
}
