package org.fieldgate.export;

import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fieldgate export} as a user runs it: the settings come from the environment (here -D properties), so an
 * export that cannot see a site file would describe nothing (empty ledger, no gaps, config_sha256 of empty input)
 * and still pass {@code export verify}; it must fail with one line instead.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@StartsProcesses
class ExportCliTest {
    /** SHA-256 of zero bytes: what config_sha256 says when the export saw no site file */
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stop() throws Exception {
        for (String p : List.of("fieldgate.spool.dir", "fieldgate.influx.url", "fieldgate.site-config")) {
            System.clearProperty(p);
        }
        cleanup.close();
    }

    @Test
    void anExportThatSeesNoSiteFileFailsWithOneLineAndWritesNothing(@TempDir Path dir) throws Exception {
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        settings(dir, influx, null);
        Path out = dir.resolve("out");
        Result r = export("--from", "2026-11-01", "--to", "2026-11-02", "--out", out.toString(), "--force");

        assertEquals(ExportCli.BAD_SETTING, r.code, r.toString());
        assertEquals(1, r.err.lines().count(), r.toString());
        assertTrue(r.err.contains("fieldgate.site-config names no site file"), r.err);
        assertEquals("", r.out);
        assertTrue(!Files.exists(out) || isEmpty(out), "nothing written to " + out);
    }

    @Test
    void anExportThatSeesTheSiteFileDescribesIt(@TempDir Path dir) throws Exception {
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        settings(dir, influx, Path.of("../firmware-config/sites/soil-plot-example.yaml").toAbsolutePath());
        Path out = dir.resolve("out");
        Result r = export("--from", "2026-11-01", "--to", "2026-11-02", "--out", out.toString(), "--force");

        assertEquals(ExportCli.OK, r.code, r.toString());
        Path window;
        try (Stream<Path> windows = Files.list(out)) {
            List<Path> all = windows.toList();
            assertEquals(1, all.size(), all.toString());
            window = all.get(0);
        }
        Map<?, ?> manifest = new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                window.resolve(Manifest.FILE).toFile(), Map.class);
        assertNotEquals(EMPTY_SHA256, manifest.get("config_sha256"), manifest.toString());
        assertEquals(ExportCli.OK, export("verify", window.toString()).code);
    }

    private static void settings(Path dir, InfluxdProcess influx, Path site) {
        influx.createDatabase("fieldgate"); // an empty database: the export itself would succeed
        System.setProperty("fieldgate.spool.dir", dir.resolve("spool").toString());
        System.setProperty("fieldgate.influx.url", influx.url());
        if (site != null) {
            System.setProperty("fieldgate.site-config", site.toString());
        }
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result export(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ExportCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
