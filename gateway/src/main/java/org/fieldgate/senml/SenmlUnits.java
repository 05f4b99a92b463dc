package org.fieldgate.senml;

import java.util.Map;
import java.util.Set;

/**
 * Units a SenML record may carry: the SenML units registry (RFC 8428 section 12.1 and the secondary units of
 * RFC 8798) plus the few that soil and gas work needs and the registry lacks (kPa, mmol/mol, umol/mol,
 * m3/m3, dS/m, umol/m2/s). An unknown unit is refused rather than guessed at, because a wrong unit tag
 * splits a series in InfluxDB and silently misleads a calculation.
 */
public final class SenmlUnits {
    public static final Set<String> KNOWN = Set.of(
            // RFC 8428 primary units
            "m", "kg", "g", "s", "A", "K", "cd", "mol", "Hz", "rad", "sr", "N", "Pa", "J", "W", "C", "V", "F",
            "Ohm", "S", "Wb", "T", "H", "Cel", "lm", "lx", "Bq", "Gy", "Sv", "kat", "m2", "m3", "l", "m/s",
            "m/s2", "m3/s", "l/s", "W/m2", "cd/m2", "bit", "bit/s", "lat", "lon", "pH", "dB", "dBW", "Bspl",
            "count", "/", "%", "%RH", "%EL", "EL", "1/s", "1/min", "beat/min", "beats", "S/m",
            // RFC 8798 additions and secondary units
            "B", "VA", "VAs", "var", "vars", "J/m", "kg/m3", "deg", "NTU", "ms", "min", "h", "MHz", "kW", "kVA",
            "kvar", "Ah", "Wh", "kWh", "varh", "kvarh", "kVAh", "Wh/km", "KiB", "GB", "Mbit/s", "B/s", "MB/s",
            "mV", "mA", "dBm", "ug/m3", "mm/h", "m/h", "ppm", "/100", "/1000", "hPa", "mm", "cm", "km", "km/h",
            "ppb", "ppt", "mm/s", "l/min", "m3/h",
            // soil and gas work
            "kPa", "mmol/mol", "umol/mol", "m3/m3", "dS/m", "umol/m2/s", "mS/cm", "mm/d");

    /**
     * Unit of a SenML sum {@code s}: the value's unit times seconds (RFC 8428 section 4.2), named by the registry
     * where it has a name (W s = J, m3/s s = m3, ...), else written {@code <unit>*s}.
     */
    private static final Map<String, String> TIMES_SECONDS = Map.ofEntries(
            Map.entry("W", "J"), Map.entry("VA", "VAs"), Map.entry("var", "vars"),
            Map.entry("A", "C"), Map.entry("m/s", "m"), Map.entry("m3/s", "m3"),
            Map.entry("l/s", "l"), Map.entry("1/s", "count"), Map.entry("bit/s", "bit"),
            Map.entry("B/s", "B"), Map.entry("Hz", "count"));

    private SenmlUnits() {
    }

    public static String timesSeconds(String unit) {
        return TIMES_SECONDS.getOrDefault(unit, unit + "*s");
    }
}
