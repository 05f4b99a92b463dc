package org.fieldgate.acquire.chip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.fieldgate.acquire.scd30.Scd30Registration;
import org.fieldgate.site.DriverSettings;
import org.fieldgate.site.ModelLoader;
import org.junit.jupiter.api.Test;

/**
 * The one line a new chip adds to {@code META-INF/services/org.fieldgate.site.ChipSettings} is there for every
 * registration class, the checker and the factory see the same chips, and every model file has a driver.
 */
class ChipRegistrationsTest {
    static final Path SERVICES = Path.of("src", "main", "resources", "META-INF", "services",
            "org.fieldgate.site.ChipSettings");

    @Test
    void everyRegistrationClassIsListedOnce() throws IOException {
        Set<String> classes = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ChipSamplesTest.ACQUIRE)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (Files.readString(f).matches("(?s).*\\bclass \\w+ implements ChipRegistration\\b.*")) {
                    String rel = ChipSamplesTest.ACQUIRE.relativize(f).toString().replace(".java", "");
                    classes.add("org.fieldgate.acquire." + rel.replace('/', '.'));
                }
            }
        }
        List<String> listed = Files.readAllLines(SERVICES).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals(listed.size(), new TreeSet<>(listed).size(), "a registration listed twice in " + SERVICES);
        assertEquals(classes, new TreeSet<>(listed), "registrations vs the lines of " + SERVICES
                + ": add a missing class there, one line");
    }

    @Test
    void theCheckerAndTheFactorySeeTheSameChipsAndEveryModelFileHasOne() {
        ChipRegistrations chips = ChipRegistrations.installed();
        assertEquals(chips.models(), DriverSettings.models());
        Set<String> files = ModelLoader.loadDir(ChipSamplesTest.MODELS).models().keySet();
        assertEquals(new TreeSet<>(files), new TreeSet<>(chips.models()), "model files vs chip registrations");
    }

    @Test
    void aModelServedTwiceIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ChipRegistrations.of(List.of(new Scd30Registration(), new Scd30Registration())));
        assertTrue(e.getMessage().startsWith("model scd30 is served by two chip registrations"), e.getMessage());
    }
}
