package org.fieldgate.imports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * LI-7810 {@code .data} files as the analyser writes them (the layout docs/instruments.md §LI-7810 describes, as in
 * calc.instrument's Li7810DataTest): 1 Hz records of H2O, CO2 and CH4, so three readings per record.
 */
public final class Li7810Files {
    public static final ZoneId ZONE = ZoneId.of("Europe/Helsinki");
    /** co2_dry, ch4_dry, h2o: the readings of one record. */
    public static final int READINGS_PER_RECORD = 3;
    private static final String DATAH = "DATAH\tSECONDS\tNANOSECONDS\tNDX\tDIAG\tREMARK\tDATE\tTIME\tH2O\tCO2\tCH4"
            + "\tCAVITY_P\tCAVITY_T\tLASER_PHASE_P\tLASER_T\tRESIDUAL\tRING_DOWN_TIME\tTHERMAL_ENCLOSURE_T\tPHASE_ERROR"
            + "\tLASER_T_SHIFT\tINPUT_VOLTAGE\tCHK";
    private static final String DATAU = "DATAU\ts\tns\t\t\t\tdate\ttime\tppm\tppm\tppb\tkPa\tC\tkPa\tC\t\tus\tC\t\tC"
            + "\tV\t";
    /** Lines before the first DATA line: five header lines, DATAH, DATAU. */
    public static final int HEADER_LINES = 7;

    private Li7810Files() {
    }

    /**
     * Records at epoch seconds {@code firstS} .. {@code firstS + records - 1}; the record at {@code diagAtS} (if in
     * range) has DIAG = 16. Values depend on the second only, so two files agree where they overlap.
     */
    public static String text(long firstS, int records, long diagAtS) {
        StringBuilder f = new StringBuilder("Model:\tLI-7810 CH4/CO2/H2O Trace Gas Analyzer\nSN:\tTG10-01234\n"
                + "Software:\t2.3.5\nTimestamp:\t" + local(firstS).replace('\t', ' ') + "\nTimezone:\t" + ZONE + "\n");
        f.append(DATAH).append('\n').append(DATAU).append('\n');
        for (long s = firstS; s < firstS + records; s++) {
            f.append(String.format(Locale.ROOT, "DATA\t%d\t%d\t%d\t%d\t\t%s\t%.3f\t%.5f\t%.4f\t13.45\t55.01\t13.5\t18.2"
                            + "\t0.9\t12.1\t45.0\t0.0\t-0.01\t24.1\t8B%n", s, 0, s % 100_000, s == diagAtS ? 16 : 0,
                    local(s), 15_000.0 + (s % 600), 420 + (s % 300) * 0.01, 2010 + (s % 500) * 0.1));
        }
        return f.toString();
    }

    public static Path write(Path dir, String name, long firstS, int records, long diagAtS) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text(firstS, records, diagAtS), StandardCharsets.UTF_8);
        return p;
    }

    private static String local(long s) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(s), ZONE);
        return t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd")) + "\t" + t.format(DateTimeFormatter.ofPattern("HH:mm:ss"));
    }
}
