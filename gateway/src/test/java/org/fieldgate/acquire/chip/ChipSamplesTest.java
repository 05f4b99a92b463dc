package org.fieldgate.acquire.chip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.fieldgate.site.ConfigError;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.site.SiteValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code *.sample.yaml} in a chip folder is a fragment a site file can take as it is: wrapped in a site's
 * header it passes the real site checker (settings under {@code settings:}, only keys its model accepts), and every
 * chip folder with a registration has a sample that uses its models.
 */
class ChipSamplesTest {
    static final Path ACQUIRE = Path.of("src", "main", "java", "org", "fieldgate", "acquire").toAbsolutePath();
    static final Path MODELS = Path.of("..", "firmware-config", "models").toAbsolutePath().normalize();
    private static final String HEADER = """
            kind: site
            id: chip-sample
            name: %s wrapped as a site
            location: {latitude: 36.0, longitude: 140.0}
            timezone: UTC
            """;
    private static final int HEADER_LINES = (int) HEADER.lines().count();

    @TempDir
    Path dir;

    static List<Path> samples() throws IOException {
        try (Stream<Path> files = Files.walk(ACQUIRE)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".sample.yaml")).sorted().toList();
        }
    }

    /** The sample as a site file: the fragment after a site's header. */
    private SiteValidator.Result check(Path sample) throws IOException {
        Path site = dir.resolve(sample.getFileName().toString().replace(".sample.yaml", ".yaml"));
        Files.writeString(site, HEADER.formatted(ACQUIRE.relativize(sample)) + Files.readString(sample,
                StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        return SiteConfigs.check(site, MODELS);
    }

    @Test
    void everySampleIsAValidSiteFragment() throws IOException {
        List<Path> samples = samples();
        assertTrue(samples.size() >= 9, "expected the nine chip samples under " + ACQUIRE + ", found " + samples);
        List<String> problems = new ArrayList<>();
        for (Path sample : samples) {
            SiteValidator.Result r = check(sample);
            for (ConfigError e : r.errors()) {
                // the line in the sample itself, not in the wrapped copy
                String where = e.toString().substring((e.file() + ":" + e.line()).length());
                problems.add(ACQUIRE.relativize(sample) + ":" + (e.line() - HEADER_LINES) + where);
            }
            if (r.ok() && r.probes() == 0) {
                problems.add(ACQUIRE.relativize(sample) + ": no probe");
            }
        }
        if (!problems.isEmpty()) {
            fail("chip samples that a site file would refuse:\n" + String.join("\n", problems));
        }
    }

    @Test
    void everyChipFolderHasASampleOfItsModels() throws IOException {
        List<Path> samples = samples();
        for (ChipRegistration chip : ChipRegistrations.installed().all()) {
            Path folder = ACQUIRE.resolve(chip.getClass().getPackageName().substring("org.fieldgate.acquire.".length()));
            Set<String> used = new TreeSet<>();
            for (Path sample : samples) {
                if (sample.getParent().equals(folder)) {
                    SiteValidator.Result r = check(sample);
                    assertTrue(r.ok(), sample + ": " + r.errors());
                    r.config().probes().stream().map(ProbeConfig::model).forEach(m -> used.add(m.id()));
                }
            }
            assertTrue(chip.models().stream().anyMatch(used::contains), folder + ": no sample uses "
                    + chip.models() + " (" + chip.getClass().getSimpleName() + ")");
        }
    }

    @Test
    void aSampleWithDriverKeysIsRefusedNamingTheKey() throws IOException {
        Path bad = dir.resolve("bad.sample.yaml");
        Files.writeString(bad, """
                buses:
                  i2c-1: {type: i2c, device: /dev/i2c-1}
                probes:
                  - id: soil-co2
                    model: scd41
                    bus: i2c-1
                    interval-s: 5
                    settings:
                      warm-up-s: 30
                """);
        List<String> errors = check(bad).errors().stream().map(ConfigError::toString).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("probes[0].settings.warm-up-s: value '30': not a setting of model scd41"),
                errors.get(0));
    }
}
