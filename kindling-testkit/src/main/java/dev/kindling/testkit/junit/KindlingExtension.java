package dev.kindling.testkit.junit;

import dev.kindling.core.Kindling;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.testkit.FakeCloud;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.Journal;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The extension behind {@link KindlingTest}. Emulators live in the test class's store (one start
 * per class, stopped after it); each test gets its own {@link KindlingTargets}, cleaned up after
 * it.
 */
public final class KindlingExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(KindlingExtension.class);

  /**
   * Types that can be injected; all but {@link KindlingTargets} belong to the platform named by
   * {@link OnPlatform}, or by {@link KindlingTest#value()} without it.
   */
  private static final Set<Class<?>> INJECTABLE =
      Set.of(
          KindlingTargets.class,
          KindlingTarget.class,
          Kindling.class,
          DataAppDeployer.class,
          PlatformService.class,
          Emulator.class,
          Journal.class,
          FakeCloud.class);

  @Override
  public void beforeEach(ExtensionContext context) throws IllegalAccessException {
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      for (Class<?> c = instance.getClass(); c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (Modifier.isStatic(f.getModifiers()) || !injected(f.getType(), f)) {
            continue;
          }
          f.setAccessible(true);
          f.set(instance, value(f.getType(), f, context));
        }
      }
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    KindlingTargets targets =
        context.getStore(NS).remove(KindlingTargets.class, KindlingTargets.class);
    if (targets != null) {
      targets.cleanUp();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
    return injected(p.getParameter().getType(), p.getParameter());
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext context) {
    try {
      return value(p.getParameter().getType(), p.getParameter(), context);
    } catch (RuntimeException e) {
      throw new ParameterResolutionException("cannot inject " + p.getParameter(), e);
    }
  }

  private static boolean injected(Class<?> type, AnnotatedElement element) {
    return INJECTABLE.contains(type);
  }

  /** {@link OnPlatform} on the element, else {@link KindlingTest} on the method or class. */
  private static TestPlatform platform(AnnotatedElement element, ExtensionContext context) {
    OnPlatform on = element.getAnnotation(OnPlatform.class);
    if (on != null) {
      return on.value();
    }
    for (Optional<ExtensionContext> c = Optional.of(context);
        c.isPresent();
        c = c.get().getParent()) {
      Optional<AnnotatedElement> e = c.get().getElement();
      if (e.isPresent() && e.get().isAnnotationPresent(KindlingTest.class)) {
        return e.get().getAnnotation(KindlingTest.class).value();
      }
    }
    return TestPlatform.FAKE;
  }

  private static Object value(Class<?> type, AnnotatedElement element, ExtensionContext context) {
    KindlingTargets targets = targets(context);
    if (type == KindlingTargets.class) {
      return targets;
    }
    KindlingTarget t = targets.get(platform(element, context));
    if (type == KindlingTarget.class) {
      return t;
    }
    if (type == Kindling.class) {
      return t.kindling();
    }
    if (type == DataAppDeployer.class) {
      return t.deployer();
    }
    if (type == PlatformService.class) {
      return t.service();
    }
    if (type == Emulator.class) {
      return t.emulator().orElseThrow(() -> notAvailable(t, "an emulator"));
    }
    if (type == Journal.class) {
      return t.journal();
    }
    return t.fakeCloud().orElseThrow(() -> notAvailable(t, "a FakeCloud"));
  }

  private static ExtensionConfigurationException notAvailable(KindlingTarget t, String what) {
    return new ExtensionConfigurationException(t + " has no " + what);
  }

  /** The test's targets, over the emulators of its class. */
  private static KindlingTargets targets(ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    EmulatorPool pool =
        classContext
            .getStore(NS)
            .getOrComputeIfAbsent(EmulatorPool.class, k -> new EmulatorPool(), EmulatorPool.class);
    ExtensionContext testContext = context.getTestMethod().isPresent() ? context : classContext;
    return testContext
        .getStore(NS)
        .getOrComputeIfAbsent(
            KindlingTargets.class, k -> new KindlingTargets(pool), KindlingTargets.class);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    Optional<ExtensionContext> parent = c.getParent();
    while (c.getTestMethod().isPresent() && parent.isPresent()) {
      c = parent.get();
      parent = c.getParent();
    }
    return c;
  }
}
