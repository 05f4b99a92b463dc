package org.fieldgate.acquire.li7810;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Site files with an LI-7810 as the chamber analyser, made from the soil example for tests. */
public final class Li7810Sites {
    public static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();

    private Li7810Sites() {
    }

    /**
     * The soil example's text with its LI-850 swapped for an LI-7810 at {@code address}: analyser.co2 is its
     * {@code co2_dry}, analyser.ch4 its {@code ch4_dry}, analyser.pressure the air probe's barometer (the cavity's
     * pressure is not the chamber's).
     */
    public static String soilPlot(String address) throws IOException {
        String text = Files.readString(CONFIG.resolve("sites/soil-plot-example.yaml"));
        String probe = "  - id: analyser\n    model: li850\n    bus: rs232-1\n    interval-s: 2\n";
        int end = text.indexOf("  - id: soil-co2-10cm\n");
        assertTrue(text.contains(probe) && end > 0, "the example's analyser probe changed");
        text = text.substring(0, text.indexOf(probe)) + "  - id: analyser\n    model: li7810\n    address: " + address
                + "\n    interval-s: 2\n" + text.substring(end);
        String co2 = "co2: {probe: analyser, channel: co2}";
        String pressure = "pressure: {probe: analyser, channel: cell_pressure}";
        assertTrue(text.contains(co2) && text.contains(pressure), "the example's analyser section changed");
        return text.replace(co2, "co2: {probe: analyser, channel: co2_dry}\n  ch4: {probe: analyser, channel: ch4_dry}")
                .replace(pressure, "pressure: {probe: air, channel: air_pressure}");
    }
}
