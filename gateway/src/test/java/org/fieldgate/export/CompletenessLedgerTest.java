package org.fieldgate.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's counts are exact: a probe sampled every 60 s that fails for 5 acquisitions in an hour shows 60 expected,
 * 55 received, 5 in a gap with the probe's cause and none missing; a probe that never ran shows all 60 missing with the
 * gateway down (or, once the gateway is known to have run, an unknown cause); a remote node has no expected count.
 */
class CompletenessLedgerTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final long S = 1_000_000_000L;
    /** 2026-11-01T10:00Z */
    private static final long HOUR = Instant.parse("2026-11-01T10:00:00Z").getEpochSecond() * S;
    private static final String SITE = "soil-plot-example";
    private static final String CAUSE = "timeout: no answer from Modbus address 241";

    static SiteConfig soilSite() {
        Path file = REPO.resolve("firmware-config/sites/soil-plot-example.yaml");
        return SiteConfigs.loadOrThrow(file, SiteConfigs.defaultModelsDir(file));
    }

    private static CompletenessLedger.Row row(CompletenessLedger.Report report, String device, String channel) {
        return report.rows().stream().filter(r -> r.device().equals(device) && r.channel().equals(channel))
                .findFirst().orElseThrow(() -> new AssertionError("no ledger row for " + device + "/" + channel
                        + " in " + report.rows()));
    }

    @Test
    void countsExpectedReceivedFlaggedDeliveredAndTheGapsCause(@TempDir Path dir) {
        AtomicLong now = new AtomicLong(HOUR);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            CompletenessLedger ledger = new CompletenessLedger(spool, List.of(soilSite()), now::get);
            List<Reading> readings = new ArrayList<>();
            for (int k = 0; k < 60; k++) {
                if (k >= 20 && k < 25) {
                    continue; // the probe did not answer for these five acquisitions
                }
                long t = HOUR + k * 60 * S;
                int qc = k == 3 ? 256 : k == 4 ? 2 : 0;
                readings.add(new Reading(SITE, "soil-co2-10cm", "co2_10cm", "ppm", t, 600 + k, qc, "soil-co2-10cm-2025-03"));
                readings.add(new Reading(SITE, "soil-co2-10cm", "temp_10cm", "Cel", t, 11.5, 0, "model:gmp252"));
            }
            for (int k = 0; k < 7; k++) {
                readings.add(new Reading(SITE, "remote-node", "soil_moisture", "%", HOUR + k * 300 * S, 30, 0));
            }
            spool.readings().commit(readings.subList(0, 60), List.of(), 1);
            spool.readings().commit(readings.subList(60, readings.size()), List.of(), 2);
            for (String channel : List.of("co2_10cm", "temp_10cm")) {
                spool.gaps().record(SITE, "soil-co2-10cm", channel, HOUR + 20 * 60 * S, HOUR + 24 * 60 * S, 5, CAUSE);
            }
            // InfluxDB acknowledged the first 100 readings spooled
            List<SpooledReading> first = spool.readings().oldest(100);
            spool.readings().delivered(first);
            // the gateway ran the whole hour: 60 ticks of a minute
            for (int m = 1; m <= 60; m++) {
                now.set(HOUR + m * 60 * S);
                ledger.tick();
            }
            now.set(HOUR + 2 * 3600 * S);

            CompletenessLedger.Report report = ledger.report(HOUR, HOUR + 3600 * S);
            CompletenessLedger.Row co2 = row(report, "soil-co2-10cm", "co2_10cm");
            assertEquals("2026-11-01T10", co2.hour());
            assertEquals(60.0, co2.intervalS());
            assertEquals(60L, co2.expected());
            assertEquals(55, co2.received());
            assertEquals(2, co2.flagged(), "qc 256 and qc 2");
            assertEquals(1, co2.clockUnsynced());
            assertEquals(50, co2.delivered(), "the first 100 spooled: 50 co2 and 50 temp");
            assertEquals(5, co2.gapReadings());
            assertEquals(0L, co2.missing());
            assertEquals(3600, co2.gatewayUpS());
            assertEquals(CAUSE + " (5); clock unsynchronised (readings stamped before sync, kept with qc 256) (1)",
                    co2.causes());
            CompletenessLedger.Row temp = row(report, "soil-co2-10cm", "temp_10cm");
            assertEquals(55, temp.received());
            assertEquals(0, temp.flagged());
            assertEquals(50, temp.delivered());
            assertEquals(CAUSE + " (5)", temp.causes());

            CompletenessLedger.Row remote = row(report, "remote-node", "soil_moisture");
            assertNull(remote.expected(), "a remote node's rate is not configured here");
            assertNull(remote.missing());
            assertEquals(7, remote.received());
            assertEquals(0, remote.delivered(), "spooled after the first 100");

            // a configured probe that sent nothing while the gateway ran: missing, cause unknown
            CompletenessLedger.Row air = row(report, "air", "air_temp");
            assertEquals(1800L, air.expected(), "every 2 s");
            assertEquals(0, air.received());
            assertEquals(1800L, air.missing());
            assertEquals(CompletenessLedger.UNKNOWN + " (1800)", air.causes());

            // the gap records of the hour, then the ledger's own for what no record explains
            assertEquals(2, report.gaps().stream().filter(g -> g.cause().equals(CAUSE) && g.readings() == 5).count());
            assertTrue(report.gaps().stream().anyMatch(g -> g.device().equals("air") && g.channel().equals("air_temp")
                    && g.readings() == 1800 && g.cause().equals(CompletenessLedger.UNKNOWN)), report.gaps().toString());
        }
    }

    @Test
    void hoursTheGatewayDidNotRunAreMissingBecauseItWasDownAndAGapSpanningHoursIsSplitBySlot(@TempDir Path dir) {
        AtomicLong now = new AtomicLong(HOUR + 1800 * S);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            // commissioned the day before: every hour since is expected
            new CompletenessLedger(spool, List.of(soilSite()), () -> HOUR - 86_400 * S);
            CompletenessLedger ledger = new CompletenessLedger(spool, List.of(soilSite()), now::get);
            assertEquals(HOUR - 86_400 * S, ledger.commissionedNs(), "the first start's time, kept by the spool");
            // up from 10:30 to 11:00 only
            now.set(HOUR + 3600 * S);
            ledger.tick();
            // a 300 s probe failed from 10:55 to 11:10: 10:55 in the first hour, 11:00, 11:05, 11:10 in the second
            spool.gaps().record(SITE, "soil-water-10cm", "vwc_10cm", HOUR + 3300 * S, HOUR + 4200 * S, 4,
                    "sdi12: no response");
            now.set(HOUR + 3 * 3600 * S);
            CompletenessLedger.Report report = ledger.report(HOUR, HOUR + 2 * 3600 * S);
            List<CompletenessLedger.Row> vwc = report.rows().stream().filter(r -> r.channel().equals("vwc_10cm")).toList();
            assertEquals(2, vwc.size());
            assertEquals(12L, vwc.get(0).expected());
            assertEquals(1, vwc.get(0).gapReadings());
            assertEquals(11L, vwc.get(0).missing());
            assertEquals(1800, vwc.get(0).gatewayUpS());
            assertEquals("sdi12: no response (1); gateway down (up 1800 s of 3600 s) (11)", vwc.get(0).causes());
            assertEquals(3, vwc.get(1).gapReadings());
            assertEquals(9L, vwc.get(1).missing());
            assertEquals("sdi12: no response (3); gateway down (up 0 s of 3600 s) (9)", vwc.get(1).causes());
            // the derived gateway-down gaps of the two hours are one record
            assertTrue(report.gaps().stream().anyMatch(g -> g.channel().equals("vwc_10cm")
                    && g.cause().equals(CompletenessLedger.GATEWAY_DOWN) && g.readings() == 20 && g.firstNs() == HOUR
                    && g.lastNs() == HOUR + 2 * 3600 * S - 1), report.gaps().toString());
        }
    }

    /**
     * Issue point 10: a gateway first started at 10:30 does not count the hours before as "gateway down"; the first
     * hour expects readings from 10:30 only, and a restart keeps the commissioning time. Before: the 24 h ledger of
     * the first day had 24 h of expected readings, nearly all missing because "gateway down".
     */
    @Test
    void readingsAreExpectedOnlyFromCommissioningNotBeforeTheGatewayEverRan(@TempDir Path dir) {
        AtomicLong now = new AtomicLong(HOUR + 1800 * S);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            CompletenessLedger ledger = new CompletenessLedger(spool, List.of(soilSite()), now::get);
            // the 300 s soil-water probe delivered every slot from 10:30 to 11:00 (6) and 11:00 to 11:30 (6)
            List<Reading> readings = new ArrayList<>();
            for (long t = HOUR + 1800 * S; t < HOUR + 5400 * S; t += 300 * S) {
                readings.add(new Reading(SITE, "soil-water-10cm", "vwc_10cm", "m3/m3", t, 0.3, 0));
            }
            spool.readings().commit(readings, List.of(), 1);
            for (int m = 1; m <= 60; m++) {
                now.set(HOUR + 1800 * S + m * 60 * S);
                ledger.tick();
            }
            // restarted: the commissioning time is the first start's
            CompletenessLedger restarted = new CompletenessLedger(spool, List.of(soilSite()), now::get);
            assertEquals(HOUR + 1800 * S, restarted.commissionedNs());
            CompletenessLedger.Report day = restarted.report(HOUR + 5400 * S - 86_400 * S, HOUR + 5400 * S);
            List<CompletenessLedger.Row> vwc = day.rows().stream().filter(r -> r.channel().equals("vwc_10cm")).toList();
            long expected = vwc.stream().mapToLong(CompletenessLedger.Row::expected).sum();
            long missing = vwc.stream().mapToLong(CompletenessLedger.Row::missing).sum();
            System.out.printf("ledger on day one: %d hour row(s) for vwc_10cm, expected %d, received %d, missing %d "
                    + "(%.1f %%); gateway-down gaps %d%n", vwc.size(), expected,
                    vwc.stream().mapToLong(CompletenessLedger.Row::received).sum(), missing, 100.0 * missing / expected,
                    day.gaps().stream().filter(g -> g.cause().equals(CompletenessLedger.GATEWAY_DOWN)).count());
            assertEquals(2, vwc.size(), "only the hours since commissioning: " + vwc);
            assertEquals(List.of(6L, 6L), vwc.stream().map(CompletenessLedger.Row::expected).toList());
            assertEquals(12, expected);
            assertEquals(0, missing);
            assertEquals(List.of(), day.gaps().stream().filter(g -> g.cause().equals(CompletenessLedger.GATEWAY_DOWN))
                    .toList());
        }
    }

    @Test
    void expectedSlotsAreTheIntervalsMultiplesOnTheWallClock() {
        assertEquals(60, CompletenessLedger.expected(HOUR, HOUR + 3600 * S, 60));
        assertEquals(1800, CompletenessLedger.expected(HOUR, HOUR + 3600 * S, 2));
        // 7 s does not divide an hour: 514 or 515 slots depending on the hour
        long a = CompletenessLedger.expected(HOUR, HOUR + 3600 * S, 7);
        long b = CompletenessLedger.expected(HOUR + 3600 * S, HOUR + 7200 * S, 7);
        assertTrue(a + b == 1028 || a + b == 1029, a + " + " + b);
        assertEquals(CompletenessLedger.expected(HOUR, HOUR + 7200 * S, 7), a + b);
    }
}
