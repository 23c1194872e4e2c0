package dev.kindling.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which platform an injected field or parameter of a {@link KindlingTest} belongs to, e.g.
 * {@code @OnPlatform(TestPlatform.DATABRICKS) DataAppDeployer deployer}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
public @interface OnPlatform {
  TestPlatform value();
}
