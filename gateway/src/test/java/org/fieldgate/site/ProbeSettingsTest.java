package org.fieldgate.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A probe's {@code settings:} are checked against what its model accepts, with the file's line. */
class ProbeSettingsTest {
    private static final String ANCHOR = "    address: 241\n    depth-cm: 10\n";

    @TempDir
    Path dir;

    /** The soil example with {@code lines} added to its second probe (the GMP252 in the 10 cm soil-gas well); returns the file. */
    private Path withSettings(String lines) throws IOException {
        String text = Files.readString(SiteConfigTest.SOIL, StandardCharsets.UTF_8);
        int at = text.indexOf(ANCHOR);
        assertEquals(true, at >= 0, "the soil example no longer has " + ANCHOR);
        Path f = dir.resolve("soil.yaml");
        Files.writeString(f, text.substring(0, at + ANCHOR.length()) + lines + text.substring(at + ANCHOR.length()),
                StandardCharsets.UTF_8);
        return f;
    }

    private static int lineOf(Path f, String text) throws IOException {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + f);
    }

    private static List<String> errors(Path f) {
        SiteValidator.Result r = SiteConfigs.check(f, SiteConfigTest.MODELS);
        assertNull(r.config());
        return r.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void settingsTheModelAcceptsAreCarriedInTheProbe() throws IOException {
        Path f = withSettings("    settings: {response-timeout-ms: 900, stuck-repeats: 0}\n");
        SiteConfig site = SiteConfigs.loadOrThrow(f, SiteConfigTest.MODELS);
        assertEquals(Map.of("response-timeout-ms", "900", "stuck-repeats", "0"), site.probe("soil-co2-10cm").settings());
        assertEquals(Map.of(), site.probe("soil-co2-30cm").settings());
    }

    @Test
    void aBadValueNamesTheSettingAndWhatIsAllowed() throws IOException {
        Path f = withSettings("    settings:\n      response-timeout-ms: 5\n");
        assertEquals(List.of(f + ":" + lineOf(f, "response-timeout-ms: 5") + ": probes[1].settings.response-timeout-ms:"
                + " value '5': milliseconds to wait for an answer, 20-10000 (the longest of a bus's probes applies to"
                + " the bus)"), errors(f));
    }

    @Test
    void anUnknownSettingSuggestsTheClosestOne() throws IOException {
        Path f = withSettings("    settings:\n      respons-timeout-ms: 900\n");
        assertEquals(List.of(f + ":" + lineOf(f, "respons-timeout-ms") + ": probes[1].settings.respons-timeout-ms:"
                + " value '900': not a setting of model gmp252; did you mean 'response-timeout-ms'? (settings:"
                + " response-timeout-ms, stuck-repeats)"), errors(f));
    }

    @Test
    void settingsMustBeAMappingOfScalars() throws IOException {
        Path f = withSettings("    settings:\n      stuck-repeats: [1, 2]\n");
        assertEquals(List.of(f + ":" + lineOf(f, "stuck-repeats: [1, 2]") + ": probes[1].settings.stuck-repeats:"
                + " value '[...]': identical raw values in a row that count as stuck, 0 (off) to 1000"), errors(f));
    }
}
