package org.fieldgate.web;

import java.util.Map;

/** SenML unit codes (RFC 8428 and its registry) as a technician writes them on the page: Cel as °C, 1/min as rpm. */
final class HumanUnits {
    private static final Map<String, String> TEXT = Map.ofEntries(
            Map.entry("Cel", "°C"), Map.entry("K", "K"), Map.entry("1/min", "rpm"), Map.entry("1/s", "/s"),
            Map.entry("m3/m3", "m³/m³"), Map.entry("%RH", "% RH"), Map.entry("/", "ratio"), Map.entry("%", "%"),
            Map.entry("count", "counts"), Map.entry("m3/s", "m³/s"), Map.entry("l/s", "L/s"), Map.entry("m/s", "m/s"),
            Map.entry("W/m2", "W/m²"), Map.entry("kg/m3", "kg/m³"), Map.entry("deg", "°"), Map.entry("mm/h", "mm/h"),
            Map.entry("ppm", "ppm"), Map.entry("Pa", "Pa"), Map.entry("kPa", "kPa"), Map.entry("hPa", "hPa"),
            Map.entry("W", "W"), Map.entry("kWh", "kWh"), Map.entry("V", "V"), Map.entry("A", "A"), Map.entry("Hz", "Hz"),
            Map.entry("dS/m", "dS/m"), Map.entry("S/m", "S/m"), Map.entry("lx", "lx"), Map.entry("mm", "mm"),
            Map.entry("m", "m"), Map.entry("s", "s"), Map.entry("J", "J"), Map.entry("Wh", "Wh"));

    private HumanUnits() {
    }

    /** The page's text for {@code senml}; a code not in the table is shown as it is (empty for none). */
    static String of(String senml) {
        if (senml == null) {
            return "";
        }
        return TEXT.getOrDefault(senml, senml);
    }
}
