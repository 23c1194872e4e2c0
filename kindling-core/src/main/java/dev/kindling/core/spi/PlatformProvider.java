package dev.kindling.core.spi;

import com.google.inject.Module;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import java.util.Set;

/**
 * How a platform module plugs in. Found with {@link java.util.ServiceLoader}: each platform jar
 * lists its provider in {@code META-INF/services/dev.kindling.core.spi.PlatformProvider}.
 */
public interface PlatformProvider {
  /** The platform id used as {@code platform:} in {@code kindling.yaml}. */
  String id();

  /** The target setting keys this platform accepts (besides {@code platform} and {@code auth}). */
  Set<String> settingKeys();

  /** Adds every problem of the target's settings to {@code problems} (missing or bad keys). */
  void validateTarget(TargetConfig target, Problems problems);

  /** The platform's job config rules. */
  JobConfigValidator jobConfigValidator();

  /**
   * The Guice module binding {@link PlatformService} (and what it needs) for {@code target}.
   * Declares bindings only: no I/O, clients are built lazily.
   */
  Module module(TargetConfig target);
}
