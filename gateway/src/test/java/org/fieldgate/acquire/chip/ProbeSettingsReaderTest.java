package org.fieldgate.acquire.chip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fieldgate.site.ModelLoader;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SensorModel;
import org.junit.jupiter.api.Test;

/** A registration reads a setting from the probe, else the model file's defaults, else the setting's default. */
class ProbeSettingsReaderTest {
    private static final Map<String, SensorModel> MODELS = ModelLoader.loadDir(ChipSamplesTest.MODELS).models();

    private static ProbeSettings settings(String model, Map<String, String> written) {
        return new ProbeSettings(new ProbeConfig("p1", MODELS.get(model), null, null, 5, 10, null, List.of(), 1,
                written));
    }

    @Test
    void theProbeWinsThenTheModelFileThenTheSettingsDefault() {
        ProbeSettings relay = settings("gpio-relay", Map.of("min-dwell-s", "2"));
        assertEquals(Duration.ofSeconds(2), relay.seconds("min-dwell-s"));       // the probe
        assertEquals(Duration.ofSeconds(5), relay.seconds("actuation-s"));       // models/gpio-relay.yaml
        assertEquals(true, relay.bool("active-low"));                            // models/gpio-relay.yaml
        ProbeSettings pulse = settings("gpio-pulse", Map.of());
        assertEquals(2.0, pulse.number("pulses-per-revolution"));                // models/gpio-pulse.yaml
        assertEquals(0, pulse.integer("stuck-zero-intervals"));                  // PulseCounterRegistration
        assertEquals(10_000.0, pulse.number("max-hz", 10_000.0));                // the driver's fallback
        assertEquals(Duration.ofMillis(500), settings("gmp252", Map.of()).millis("response-timeout-ms"));
        assertEquals(Duration.ofMillis(1000), settings("sdm630", Map.of()).millis("response-timeout-ms"));
    }

    @Test
    void aValueOrKeyTheChipDoesNotTakeNamesProbeAndModel() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> settings("scd41", Map.of("ambient-pressure-pa", "5000")));
        assertEquals("probe p1 (model scd41): settings.ambient-pressure-pa: value '5000': 0 (off) or 70000-120000 Pa",
                bad.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> settings("scd41", Map.of("warm-up-s", "30")));
        assertEquals("probe p1 (model scd41): settings.warm-up-s: value '30': not a setting of model scd41"
                + " (settings: ambient-pressure-pa, stuck-repeats)", unknown.getMessage());
        // a registration asking for a key it never declared is a programming error, not a site-file one
        assertThrows(IllegalStateException.class, () -> settings("scd41", Map.of()).text("warm-up-s"));
    }
}
