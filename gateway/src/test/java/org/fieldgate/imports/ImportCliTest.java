package org.fieldgate.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.core.value.MapPropertyResolver;
import org.fieldgate.config.SettingsFactory;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.HourlyCountStore;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.fieldgate.imports.Li7810Files.READINGS_PER_RECORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fieldgate import} in-process on a spool: exact counts for a first import, the same file again, an overlapping
 * file, a bad file (nothing committed), and an import into a spool a gateway has open (its depth and high-water mark
 * stay right).
 */
class ImportCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2026-12-05 06:00:00 UTC. */
    private static final long T0 = 1_796_450_400L;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out.strip());
        }
    }

    private Path spoolDir() {
        return dir.resolve("spool");
    }

    private Run importFile(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ImportCli.run(args, () -> SettingsFactory.read(new MapPropertyResolver(Map.of(
                        "fieldgate.site", "plot-a", "fieldgate.spool.dir", spoolDir().toString()))),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Spool openSpool() {
        return new Spool(spoolDir(), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
    }

    private static List<SpooledReading> all(Spool spool) {
        return spool.readings().oldest(1_000_000);
    }

    @Test
    void aFileImportedTwiceAddsNothingAndAnOverlappingOneOnlyItsNewSamples() throws Exception {
        Path first = Li7810Files.write(dir, "TG10-01234-a.data", T0, 600, T0 + 10);
        Run a = importFile("--instrument", "li7810", "--input", first.toString());
        assertEquals(ImportCli.OK, a.code(), a.err());
        assertEquals(600 * READINGS_PER_RECORD, a.json().get("added").asLong(), a.out());
        assertEquals("li-7810", a.json().get("device").asText());

        Run again = importFile("--instrument", "li7810", "--input", first.toString());
        assertEquals(ImportCli.OK, again.code(), again.err());
        assertEquals(0, again.json().get("added").asLong(), again.out());
        assertEquals(600 * READINGS_PER_RECORD, again.json().get("already_imported").asLong(), again.out());

        // the second half of the first file and 300 s more
        Path overlapping = Li7810Files.write(dir, "TG10-01234-b.data", T0 + 300, 600, -1);
        Run b = importFile("--instrument", "li7810", "--input", overlapping.toString());
        assertEquals(ImportCli.OK, b.code(), b.err());
        assertEquals(300 * READINGS_PER_RECORD, b.json().get("added").asLong(), b.out());
        assertEquals(300 * READINGS_PER_RECORD, b.json().get("already_imported").asLong(), b.out());

        try (Spool spool = openSpool()) {
            List<SpooledReading> rows = all(spool);
            assertEquals(900 * READINGS_PER_RECORD, rows.size());
            assertEquals(900 * READINGS_PER_RECORD, spool.readings().depth());
            assertEquals(900, rows.stream().filter(r -> r.reading().channel().equals("co2_dry")).map(r -> r.reading().timeNs())
                    .distinct().count(), "one co2_dry reading per second of the two files");
            Reading diag = rows.stream().map(SpooledReading::reading)
                    .filter(r -> r.timeNs() == (T0 + 10) * 1_000_000_000L && r.channel().equals("co2_dry")).findFirst()
                    .orElseThrow();
            assertEquals(QcFlags.STATUS_WARNING, diag.qc(), "the DIAG = 16 record's readings are flagged");
            assertEquals(READINGS_PER_RECORD, rows.stream().filter(r -> r.reading().qc() != 0).count(), "one DIAG record");
            Reading h2o = rows.stream().map(SpooledReading::reading).filter(r -> r.channel().equals("h2o")).findFirst()
                    .orElseThrow();
            assertEquals("mmol/mol", h2o.unit());
            assertEquals(15.0 + (T0 % 600) / 1000.0, h2o.value(), 1e-9, "H2O ppm from the file, in mmol/mol");
            // the ledger's hourly received counts: 06:00-06:15 UTC, one hour, 900 per channel
            List<HourlyCountStore.HourlyCount> counts = spool.hourlyCounts().between(T0 * 1_000_000_000L,
                    (T0 + 3600) * 1_000_000_000L);
            assertEquals(List.of(900L, 900L, 900L), counts.stream().map(HourlyCountStore.HourlyCount::received).toList(),
                    counts.toString());
        }
    }

    @Test
    void idempotentAfterTheReadingKeysAreForgotten() throws Exception {
        Path file = Li7810Files.write(dir, "f.data", T0, 120, -1);
        assertEquals(ImportCli.OK, importFile("--instrument", "li7810", "--input", file.toString(), "--device", "lgr-1")
                .code());
        // the reading keys last 7 days; what makes an import idempotent for good is its spans
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + spoolDir().resolve("keys.db"));
             Statement s = c.createStatement()) {
            assertEquals(120 * READINGS_PER_RECORD, s.executeUpdate("DELETE FROM seen"));
        }
        Run again = importFile("--instrument", "li7810", "--input", file.toString(), "--device", "lgr-1");
        assertEquals(0, again.json().get("added").asLong(), again.out());
        try (Spool spool = openSpool()) {
            assertEquals(120 * READINGS_PER_RECORD, spool.readings().depth());
        }
    }

    @Test
    void aBadFileCommitsNothingAndNamesFileLineAndColumn() throws Exception {
        List<String> lines = new ArrayList<>(Li7810Files.text(T0, 600, -1).lines().toList());
        // record 500 (line 507) steps back in time: the 499 records before it are good, and none may land
        int bad = Li7810Files.HEADER_LINES + 500;
        lines.set(bad - 1, lines.get(bad - 1).replace("\t" + (T0 + 499) + "\t", "\t" + (T0 + 100) + "\t"));
        Path file = dir.resolve("back.data");
        Files.write(file, lines);
        Run r = importFile("--instrument", "li7810", "--input", file.toString());
        assertEquals(ImportCli.FAILED, r.code(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith(file + ":" + bad + ": column SECONDS: "), r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(spoolDir().resolve("spool.db")), "the spool is not even opened for a bad file");

        Run wrong = importFile("--instrument", "toa5", "--input", Li7810Files.write(dir, "x.data", T0, 5, -1).toString(),
                "--timezone", "UTC");
        assertEquals(ImportCli.FAILED, wrong.code());
        assertTrue(wrong.err().contains("x.data:1: "), wrong.err());
        assertEquals(64, importFile("--instrument", "li9999", "--input", file.toString()).code());
        assertEquals(64, importFile("--instrument", "li7810", "--input", file.toString(), "--device", "a b").code());
    }

    @Test
    void importsIntoASpoolTheGatewayHasOpenAndItsCountsStayRight() throws Exception {
        Path file = Li7810Files.write(dir, "g.data", T0, 200, -1);
        int imported = 200 * READINGS_PER_RECORD;
        try (Spool gateway = openSpool()) {
            long t = T0 * 1_000_000_000L;
            gateway.readings().commit(List.of(new Reading("plot-a", "probe-1", "co2", "ppm", t, 400, 0)), List.of(), t);
            assertEquals(ImportCli.OK, importFile("--instrument", "li7810", "--input", file.toString()).code());
            // the gateway's forwarder reads ahead: it meets the imported rows and counts them into its depth
            List<SpooledReading> waiting = all(gateway);
            assertEquals(1 + imported, waiting.size());
            assertEquals(1 + imported, gateway.readings().depth());
            gateway.readings().commit(List.of(new Reading("plot-a", "probe-1", "co2", "ppm", t + 1, 401, 0)), List.of(), t);
            assertEquals(2 + imported, gateway.readings().depth());
            gateway.readings().delivered(waiting);
            assertEquals(1, gateway.readings().depth(), "the gateway's depth after delivering the imported rows");
            assertEquals(ImportCli.OK, importFile("--instrument", "li7810", "--input",
                    Li7810Files.write(dir, "h.data", T0 + 200, 10, -1).toString()).code());
            // the gateway's own next commit passes the imported rows' ids: counted without a read-ahead
            gateway.readings().commit(List.of(new Reading("plot-a", "probe-1", "co2", "ppm", t + 2, 402, 0)), List.of(), t);
            assertEquals(2 + 10 * READINGS_PER_RECORD, gateway.readings().depth());
        }
        try (Spool reopened = openSpool()) {
            assertEquals("", reopened.damageAtStart(), "the high-water mark agrees with the rows the import added");
            assertEquals(2 + 10 * READINGS_PER_RECORD, reopened.readings().depth());
            assertEquals(0, reopened.lostTotal());
        }
    }
}
