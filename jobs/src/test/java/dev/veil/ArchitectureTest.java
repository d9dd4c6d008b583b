package dev.veil;

import dev.veil.aggregate.NoisyRelease;
import dev.veil.aggregate.ReleaseMechanism;
import dev.veil.job.anonymisation.AnonymisationJob;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
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
                                "dev.veil.dp..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("org.apache.flink..");

        rule.check(main);
    }

    @Test
    void configAndAggregateParameters_useOnlyFlinksConfigurationApi() {
        // Veil's options are typed Flink ConfigOptions: flink-core's configuration API, no runtime.
        noClasses()
                .that()
                .resideInAnyPackage("dev.veil.config..", "dev.veil.aggregate..")
                .should()
                .dependOnClassesThat(
                        resideInAPackage("org.apache.flink..")
                                .and(not(resideInAPackage("org.apache.flink.configuration.."))))
                .check(main);
    }

    @Test
    void releasedCounts_alwaysGoThroughTheNoisyMechanism() {
        // Tests inject a mechanism without noise; production code has exactly one.
        classes()
                .that()
                .implement(ReleaseMechanism.class)
                .should()
                .haveFullyQualifiedName(NoisyRelease.class.getName())
                .check(main);
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

    /**
     * Values are personal data: an IP, a hop of an X-Forwarded-For list or a URL host must never
     * leave the process as a DNS query. The IPAddress library's IPAddressString reads literals
     * only; its HostName and the JDK's InetAddress and InetSocketAddress can resolve names.
     */
    @Test
    void recordPath_neverResolvesNames() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.veil.privacy..", "dev.veil.rules..", "dev.veil.record..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.net.InetAddress")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.net.InetSocketAddress")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("inet.ipaddr.HostName")
                .check(main);
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

    @Test
    void jobPackages_areFreeOfCycles() {
        // Each package of the Flink side its own slice, dev.veil.job itself included.
        SliceAssignment byPackage =
                new SliceAssignment() {
                    @Override
                    public SliceIdentifier getIdentifierOf(JavaClass c) {
                        return c.getPackageName().startsWith("dev.veil.job")
                                ? SliceIdentifier.of(c.getPackageName())
                                : SliceIdentifier.ignore();
                    }

                    @Override
                    public String getDescription() {
                        return "packages under dev.veil.job";
                    }
                };
        SlicesRuleDefinition.slices().assignedFrom(byPackage).should().beFreeOfCycles().check(main);
    }
}
