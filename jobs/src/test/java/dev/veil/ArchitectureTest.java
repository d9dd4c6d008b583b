package dev.veil;

import dev.veil.job.anonymisation.AnonymisationJob;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Layering of the main code: the privacy, consent, rules, record, schema and config packages are
 * plain Java that can be tested and reasoned about without Flink; only dev.veil.job adapts them to
 * Flink.
 */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        // The compiled main classes of this module (surefire runs in the module directory);
        // importing a directory
        // instead of scanning the whole test classpath for the package keeps this test fast.
        main =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPath(Path.of("target/classes"));
    }

    @Test
    void importedClasses_includeTheFlinkAdapterAndItsFlinkDependencies() {
        assertThat(main.contain(AnonymisationJob.class)).isTrue();
        assertThat(main.get(AnonymisationJob.class).getDirectDependenciesFromSelf())
                .as("the rules below would pass vacuously if dependencies on Flink were not seen")
                .anyMatch(d -> d.getTargetClass().getPackageName().startsWith("org.apache.flink"));
    }

    @Test
    void plainJavaPackages_doNotDependOnFlink() {
        ArchRule rule =
                noClasses()
                        .that()
                        .resideInAnyPackage(
                                "dev.veil.privacy..",
                                "dev.veil.consent..",
                                "dev.veil.rules..",
                                "dev.veil.record..",
                                "dev.veil.schema..",
                                "dev.veil.config..",
                                "dev.veil.aggregate..",
                                "dev.veil.dp..")
                        .should()
                        .dependOnClassesThat(
                                resideInAPackage("org.apache.flink..")
                                        // Veil's options are typed Flink ConfigOptions:
                                        // flink-core's configuration API, no runtime.
                                        .and(
                                                not(
                                                        resideInAPackage(
                                                                "org.apache.flink.configuration.."))));

        rule.check(main);
    }

    @Test
    void dp_doesNotDependOnOtherVeilPackages() {
        noClasses()
                .that()
                .resideInAPackage("dev.veil.dp..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.veil.privacy..",
                        "dev.veil.consent..",
                        "dev.veil.rules..",
                        "dev.veil.record..",
                        "dev.veil.schema..",
                        "dev.veil.config..",
                        "dev.veil.aggregate..",
                        "dev.veil.job..")
                .check(main);
    }

    @Test
    void privacy_doesNotDependOnOtherVeilPackages() {
        ArchRule rule =
                noClasses()
                        .that()
                        .resideInAPackage("dev.veil.privacy..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(
                                "dev.veil.consent..",
                                "dev.veil.rules..",
                                "dev.veil.record..",
                                "dev.veil.schema..",
                                "dev.veil.config..",
                                "dev.veil.job..",
                                "dev.veil");

        rule.check(main);
    }

    @Test
    void mainClasses_exceptTheCommandLineEntryPoint_useNoStandardStreamsOrJavaUtilLogging() {
        ArchRule rule =
                noClasses()
                        .that()
                        .resideInAPackage("dev.veil..")
                        .and()
                        .doNotHaveFullyQualifiedName(AnonymisationJob.class.getName())
                        .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS)
                        .orShould()
                        .dependOnClassesThat()
                        .resideInAPackage("java.util.logging..");

        rule.check(main);
    }

    @Test
    void veilPackages_areFreeOfCycles() {
        SlicesRuleDefinition.slices()
                .matching("dev.veil.(*)..")
                .should()
                .beFreeOfCycles()
                .check(main);
    }
}
