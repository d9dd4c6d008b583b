package dev.veil.tools.sample;

import dev.veil.config.JobConfig;

import java.util.Objects;

/**
 * Names of the four input topics the sample records are meant for.
 *
 * @param device topic of device telemetry events (schema {@code device.schema.json})
 * @param location topic of position fixes (schema {@code location.schema.json})
 * @param service topic of service interactions (schema {@code service.schema.json})
 * @param consent topic of consent changes (schema {@code consent.schema.json})
 */
public record Topics(String device, String location, String service, String consent) {

    /** Checks that every name is non-null and not blank. */
    public Topics {
        requireName(device, "device");
        requireName(location, "location");
        requireName(service, "service");
        requireName(consent, "consent");
    }

    /** The input topics the anonymisation job of {@code job} reads. */
    public static Topics of(JobConfig job) {
        return new Topics(
                job.inputTopics.get("device"),
                job.inputTopics.get("location"),
                job.inputTopics.get("service"),
                job.consentTopic);
    }

    private static void requireName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isBlank()) {
            throw new IllegalArgumentException(what + " topic name is blank");
        }
    }
}
