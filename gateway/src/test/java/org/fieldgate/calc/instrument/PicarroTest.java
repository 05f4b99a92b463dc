package org.fieldgate.calc.instrument;

import static org.fieldgate.calc.instrument.InstrumentRuns.assertWithin;
import static org.fieldgate.calc.instrument.InstrumentRuns.bad;
import static org.fieldgate.calc.instrument.InstrumentRuns.calc;
import static org.fieldgate.calc.instrument.InstrumentRuns.licorFlux;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import org.fieldgate.calc.instrument.InstrumentRuns.Curve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Picarro G2508 and G4301 .dat files written from the layout of the published analyser files (docs/instruments.md
 * §Picarro): fixed-width columns, EPOCH_TIME with DATE/TIME on the analyser's clock (UTC+1 and UTC), dry columns in
 * ppm next to wet and running-mean columns, H2O in %, records about 0.9 s apart at uneven spacing, ALARM_STATUS.
 */
class PicarroTest {
    private static final double VOLUME_L = 6.5;
    private static final double AREA_CM2 = 324.3;
    private static final double P_KPA = 100.4;
    private static final double T_C = 4.2;
    /** File second 0 = 2023-01-08T08:00:00Z. */
    private static final long T0 = 1_673_164_800L;
    private static final Curve CO2_L = Curve.linear(425, 0.3);
    private static final Curve CH4_L = Curve.linear(2050, 0.9);
    private static final Curve N2O_L = Curve.linear(333, 0.05);
    private static final Curve CO2_E = Curve.saturating(425, 700, 0.005);
    private static final Curve CH4_E = Curve.saturating(2050, 2800, 0.004);
    private static final Curve N2O_E = Curve.saturating(333, 360, 0.006);

    @TempDir
    Path dir;

    private static double h2oPercent(double s) {
        return 0.9 + 0.001 * s;
    }

    private static double expected(Curve c, double closingS) {
        return licorFlux(VOLUME_L, AREA_CM2, P_KPA, T_C, 10 * h2oPercent(closingS), c.slopeAtStart());
    }

    private static double s(int i) {
        return 0.3 + 0.85 * i + 0.2 * (i % 3);
    }

    private static DoubleUnaryOperator gas(Curve l, Curve e, double ambient) {
        return s -> s >= 400 ? e.within(400, 520, ambient).applyAsDouble(s) : l.within(100, 220, ambient)
                .applyAsDouble(s);
    }

    private static String row(Object... cells) {
        StringBuilder b = new StringBuilder();
        for (Object c : cells) {
            String v = c instanceof Double d ? String.format(Locale.ROOT, "%.10E", d) : c.toString();
            b.append(String.format(Locale.ROOT, "%-26s", v));
        }
        return b.append('\n').toString();
    }

    /** Records inside [100, 220] s (or [400, 520] s) and the one with an alarm among them. */
    private static int records(double from, double to) {
        int n = 0;
        for (int i = 0; i < 700; i++) {
            n += s(i) >= from && s(i) <= to ? 1 : 0;
        }
        return n;
    }

    private static boolean alarm(int i) {
        return i == 180 || i == 530;
    }

    /** G2508 with DATE/TIME on a UTC+1 clock, as in the published file. */
    private static String g2508(ZoneOffset clock) {
        DoubleUnaryOperator co2 = gas(CO2_L, CO2_E, 425);
        DoubleUnaryOperator ch4 = gas(CH4_L, CH4_E, 2050);
        DoubleUnaryOperator n2o = gas(N2O_L, N2O_E, 333);
        StringBuilder f = new StringBuilder(row("DATE", "TIME", "FRAC_DAYS_SINCE_JAN1", "FRAC_HRS_SINCE_JAN1",
                "JULIAN_DAYS", "EPOCH_TIME", "ALARM_STATUS", "INST_STATUS", "CavityPressure", "CavityTemp", "species",
                "solenoid_valves", "N2O", "N2O_dry", "N2O_dry30s", "CO2", "CO2_dry", "CH4", "CH4_dry", "H2O", "NH3"));
        DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
        for (int i = 0; i < 700; i++) {
            double s = s(i);
            Instant t = Instant.ofEpochMilli(Math.round((T0 + s) * 1000));
            LocalDateTime local = LocalDateTime.ofInstant(t, clock);
            double w = h2oPercent(s) / 100;
            boolean bad = alarm(i);
            double co2Dry = bad ? 9999.0 : co2.applyAsDouble(s);
            double ch4DryPpm = (bad ? 1.0 : ch4.applyAsDouble(s)) / 1000;
            double n2oDryPpm = (bad ? 5.0 : n2o.applyAsDouble(s)) / 1000;
            double fracDays = (local.getDayOfYear() - 1) + local.toLocalTime().toNanoOfDay() / 864e11;
            f.append(row(local.toLocalDate(), local.toLocalTime().format(time), String.format(Locale.ROOT, "%.8f",
                            fracDays), String.format(Locale.ROOT, "%.6f", fracDays * 24),
                    String.format(Locale.ROOT, "%.8f", fracDays + 1), String.format(Locale.ROOT, "%.3f",
                            t.toEpochMilli() / 1000.0), bad ? 2 : 0, 963, 140.0, 45.0, (double) new int[] {47, 25, 2, 46}[i % 4],
                    0.0, n2oDryPpm * (1 - w), n2oDryPpm, 0.5, co2Dry * (1 - w), co2Dry, ch4DryPpm * (1 - w), ch4DryPpm,
                    h2oPercent(s), 1.1));
        }
        return f.toString();
    }

    /** G4301 with DATE/TIME in UTC, CO2 and CH4 only. */
    private static String g4301() {
        DoubleUnaryOperator co2 = gas(CO2_L, CO2_E, 425);
        DoubleUnaryOperator ch4 = gas(CH4_L, CH4_E, 2050);
        StringBuilder f = new StringBuilder(row("DATE", "TIME", "FRAC_DAYS_SINCE_JAN1", "FRAC_HRS_SINCE_JAN1",
                "EPOCH_TIME", "ALARM_STATUS", "INST_STATUS", "CH4", "CH4_dry", "CO2", "CO2_dry", "H2O",
                "CavityPressure", "CavityTemp", "Battery_Current", "GPS_ABS_LAT", "GPS_ABS_LONG"));
        DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
        for (int i = 0; i < 700; i++) {
            double s = s(i);
            Instant t = Instant.ofEpochMilli(Math.round((T0 + s) * 1000));
            LocalDateTime utc = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
            double w = h2oPercent(s) / 100;
            double co2Dry = co2.applyAsDouble(s);
            double ch4DryPpm = ch4.applyAsDouble(s) / 1000;
            f.append(row(utc.toLocalDate(), utc.toLocalTime().format(time), "7.33333333", "176.000000",
                    String.format(Locale.ROOT, "%.3f", t.toEpochMilli() / 1000.0), 0, 899, ch4DryPpm * (1 - w),
                    ch4DryPpm, co2Dry * (1 - w), co2Dry, h2oPercent(s), 747.39, 32.75, -1.70, 0.0, 0.0));
        }
        return f.toString();
    }

    /** L on the analyser's clock (UTC+1, no offset written), E as instants. */
    private Path closures() throws IOException {
        return InstrumentRuns.closures(dir,
                "L,2023-01-08T09:01:40,2023-01-08T09:03:40," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + "," + T_C,
                "E,2023-01-08T08:06:40Z,2023-01-08T08:08:40Z," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + "," + T_C);
    }

    private String[] args(Path data, Path closures, String... extra) {
        List<String> a = new ArrayList<>(List.of("flux", "--instrument", "picarro", "--input", data.toString(),
                "--closures", closures.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void g2508RecoversCo2Ch4AndN2oOnTheClockItsRecordsState() throws IOException {
        Path data = InstrumentRuns.write(dir, "CFKADS2308-20230108-080000Z-DataLog_User.dat",
                g2508(ZoneOffset.ofHours(1)));
        InstrumentRuns.Run r = calc(args(data, closures()));
        assertEquals(0, r.code(), r.err());
        assertEquals(6, r.lines().size(), r.out());
        JsonNode lc = r.line("L", "co2");
        assertEquals(records(100, 220) - 1, lc.get("points").asInt(), "one record with ALARM_STATUS 2 left out");
        assertEquals(1, lc.get("samples_diag").asInt());
        assertEquals("linear", lc.get("model").asText(), lc.toString());
        assertWithin(expected(CO2_L, 100), lc.get("flux"), 0.005, "L co2 flux");
        assertWithin(expected(CH4_L, 100), r.line("L", "ch4").get("flux"), 0.005, "L ch4 flux (ppm in the file)");
        JsonNode ln = r.line("L", "n2o");
        assertEquals("nmol m-2 s-1", ln.get("unit").asText());
        assertWithin(expected(N2O_L, 100), ln.get("linear_flux"), 0.005, "L n2o linear_flux (ppm in the file)");
        JsonNode ec = r.line("E", "co2");
        assertEquals(records(400, 520) - 1, ec.get("points").asInt());
        assertEquals("exponential", ec.get("model").asText(), ec.toString());
        assertWithin(expected(CO2_E, 400), ec.get("exponential_flux"), 0.005, "E co2 exponential_flux");
        assertWithin(expected(CH4_E, 400), r.line("E", "ch4").get("exponential_flux"), 0.005,
                "E ch4 exponential_flux");
        assertWithin(expected(N2O_E, 400), r.line("E", "n2o").get("exponential_flux"), 0.005,
                "E n2o exponential_flux");
    }

    @Test
    void g4301InUtcGivesCo2AndCh4() throws IOException {
        Path data = InstrumentRuns.write(dir, "G4301.dat", g4301());
        // the file's clock is UTC: L written on the analyser's clock moves to 08:01:40Z
        Path closures = InstrumentRuns.closures(dir,
                "L,2023-01-08T08:01:40,2023-01-08T08:03:40," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + "," + T_C,
                "E,2023-01-08T09:06:40+01:00,2023-01-08T08:08:40Z," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + ","
                        + T_C);
        InstrumentRuns.Run r = calc(args(data, closures));
        assertEquals(0, r.code(), r.err());
        assertEquals(4, r.lines().size(), r.out());
        assertEquals(records(100, 220), r.line("L", "co2").get("points").asInt());
        assertWithin(expected(CO2_L, 100), r.line("L", "co2").get("flux"), 0.005, "L co2 flux");
        assertWithin(expected(CH4_E, 400), r.line("E", "ch4").get("exponential_flux"), 0.005,
                "E ch4 exponential_flux");
    }

    @Test
    void timezoneIsCheckedAgainstEpochTime() throws IOException {
        Path data = InstrumentRuns.write(dir, "a.dat", g2508(ZoneOffset.ofHours(1)));
        InstrumentRuns.Run oslo = calc(args(data, closures(), "--timezone", "Europe/Oslo"));
        assertEquals(0, oslo.code(), oslo.err());
        assertWithin(expected(CO2_L, 100), oslo.line("L", "co2").get("flux"), 0.005, "L co2 flux");
        String utc = bad(args(data, closures(), "--timezone", "UTC"));
        assertTrue(utc.contains("a.dat:2: column TIME: 2023-01-08T09:00:00.300 in UTC is 2023-01-08T09:00:00.300Z"
                + " but EPOCH_TIME says 2023-01-08T08:00:00.300Z; the clock's zone is not UTC"), utc);
    }

    @Test
    void badFilesNameFileLineAndColumn() throws IOException {
        String good = g2508(ZoneOffset.ofHours(1));
        List<String> lines = new ArrayList<>(good.lines().toList());
        Path closures = closures();
        java.util.function.Function<String, String> badFile = text -> {
            try {
                return bad(args(InstrumentRuns.write(dir, "b.dat", text), closures));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };

        String lgr = badFile.apply("SN:3K430000008886 BD:May 20 2019 VC:1ab9a44\nSysTime, Time, [CO2]d_ppm\n");
        assertTrue(lgr.contains("b.dat:1: 'SN:3K430000008886 BD:May 20 2019 VC:1ab9...' is not a Picarro header"
                + " line"), lgr);

        String truncated = badFile.apply(good.substring(0, good.length() - 200));
        assertTrue(truncated.contains("b.dat:701: truncated: 14 of 21 cells"), truncated);

        List<String> wet = new ArrayList<>(lines);
        wet.set(0, wet.get(0).replace("_dry ", "_wet ").replace("_dry30s", "_wet30s"));
        String noDry = badFile.apply(String.join("\n", wet));
        assertTrue(noDry.contains("b.dat:1: column CO2_dry/CH4_dry/N2O_dry: none of the dry gas columns is on the"
                + " header line"), noDry);

        List<String> back = new ArrayList<>(lines);
        String epoch = back.get(300).substring(5 * 26, 6 * 26).strip();
        back.set(300, back.get(300).replace(epoch, String.format(Locale.ROOT, "%.3f", Double.parseDouble(epoch)
                - 100)));
        String backwards = badFile.apply(String.join("\n", back));
        assertTrue(backwards.contains("b.dat:301: column EPOCH_TIME: ") && backwards.contains("is before line 300's"),
                backwards);

        // a clock that changes offset within the file (summer time) needs --timezone
        List<String> shifted = new ArrayList<>(lines.subList(0, 400));
        shifted.addAll(g2508(ZoneOffset.ofHours(2)).lines().toList().subList(400, 701));
        String offset = badFile.apply(String.join("\n", shifted));
        assertTrue(offset.contains("b.dat:401: column TIME: ") && offset.contains("the clock's zone is not +01:00"
                + " (taken from line 2; give --timezone for a clock that changes offset)"), offset);
    }
}
