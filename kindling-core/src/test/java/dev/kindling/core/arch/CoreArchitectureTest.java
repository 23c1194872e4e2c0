package dev.kindling.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Core knows no platform: no platform package, no cloud SDK. */
class CoreArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.kindling.core");

  @Test
  void coreImportsNoPlatformModule() {
    noClasses()
        .that()
        .resideInAPackage("dev.kindling.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.kindling.fabric..",
            "dev.kindling.databricks..",
            "dev.kindling.synapse..",
            "dev.kindling.azure..",
            "dev.kindling.local..",
            "dev.kindling.testkit..",
            "dev.kindling.cli..")
        .check(CORE);
  }

  @Test
  void coreDependsOnNoCloudSdk() {
    noClasses()
        .that()
        .resideInAPackage("dev.kindling.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("com.azure..", "com.microsoft..", "com.databricks..")
        .check(CORE);
  }
}
