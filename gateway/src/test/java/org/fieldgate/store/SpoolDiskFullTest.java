package org.fieldgate.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.fieldgate.testkit.Tmpfs;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.senml.SenmlDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spool's file system fills up (ENOSPC) under a real ingest committer and forwarder: nothing is acknowledged
 * that is not on disk, nothing is committed twice, the alarm is up while it lasts, and once the space returns
 * everything flows again by itself, counted once in the ledger.
 */
@StartsProcesses
class SpoolDiskFullTest {
    private static final String DB = "fieldgate_disk_full";
    private static final int MESSAGES = 200;
    private static final int PER_MESSAGE = 100;

    private static byte[] pack(long baseS) {
        StringBuilder sb = new StringBuilder("[{\"bn\":\"probe-1/\",\"bt\":").append(baseS)
                .append(",\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":400,\"t\":0}");
        for (int i = 1; i < PER_MESSAGE; i++) {
            sb.append(",{\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":").append(400 + i).append(",\"t\":")
                    .append(i * 0.001).append('}');
        }
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFullDiskHoldsMessagesUnacknowledgedAndRecoversByItselfWithoutDuplicates(@TempDir Path dir) throws Exception {
        int sent = MESSAGES * PER_MESSAGE;
        long baseS = EpochNanos.now() / 1_000_000_000L - 3600;
        AtomicInteger acked = new AtomicInteger();
        var metrics = new SimpleMeterRegistry();
        try (Cleanup cleanup = new Cleanup()) {
            Tmpfs fs = cleanup.add(Tmpfs.mount(dir.resolve("fs"), 12L << 20));
            // InfluxDB is down at first, so half the readings wait in the spool when the disk fills
            InfluxdProcess influx = cleanup.add(InfluxdProcess.configured());
            Spool spool = cleanup.add(new Spool(fs.dir().resolve("spool"), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap));
            var decoder = new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400L * 1_000_000_000L);
            IngestCommitter committer = cleanup.add(new IngestCommitter(decoder, spool.readings(), 50, metrics));
            InfluxForwarder forwarder = cleanup.add(new InfluxForwarder(
                    new GatewaySettings.Influx(influx.url(), DB, null, null, null),
                    new GatewaySettings.Forward(1000, Duration.ofMillis(50), Duration.ofMillis(500)), spool, metrics));
            committer.onCommitted(r -> forwarder.wake());
            forwarder.start();
            committer.start();
            for (int m = 0; m < MESSAGES / 2; m++) {
                committer.accept(new IngestCommitter.Incoming("fieldgate/plot-a/probe-1/senml", pack(baseS + m),
                        acked::incrementAndGet));
            }
            Poll.until("the first half spooled", Duration.ofSeconds(30), () -> acked.get() == MESSAGES / 2,
                    () -> "acked " + acked.get());
            fs.fill();
            // the forwarder now delivers, and must delete from the spool on the full disk (it stalls until there is room)
            influx.start();
            influx.createDatabase(DB);
            Thread producer = new Thread(() -> {
                try {
                    for (int m = MESSAGES / 2; m < MESSAGES; m++) {
                        committer.accept(new IngestCommitter.Incoming("fieldgate/plot-a/probe-1/senml",
                                pack(baseS + m), acked::incrementAndGet));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "disk-full-producer");
            producer.setDaemon(true);
            producer.start();
            Poll.until("commits to fail on the full disk", Duration.ofSeconds(30),
                    () -> metrics.counter("fieldgate.ingest.commit.failures").count() >= 5
                            && influx.count(DB) > 0,
                    () -> "acked " + acked.get() + ", error '" + committer.lastCommitError() + "', influx "
                            + influx.count(DB));
            assertFalse(committer.lastCommitError().isEmpty(), "the alarm is up while the disk is full");
            int ackedWhileFull = acked.get();
            assertEquals(MESSAGES / 2, ackedWhileFull, "acknowledged " + ackedWhileFull + " messages on a full disk");

            fs.release();
            Poll.until("everything acknowledged and delivered once the space returned", Duration.ofSeconds(60),
                    () -> acked.get() == MESSAGES && spool.readings().depth() == 0 && influx.count(DB) == sent,
                    () -> "acked " + acked.get() + ", spool depth " + spool.readings().depth() + ", influx " + influx.count(DB)
                            + ", forwarder delivered " + forwarder.delivered() + ", ledger received "
                            + ledgerSums(spool)[0] + ", last commit error '" + committer.lastCommitError() + "'");
            producer.join(5000);
            long landed = influx.count(DB);
            long spoolRows = rows(spool, "SELECT count(*) FROM reading");
            double[] ledger = ledgerSums(spool);
            System.out.printf("FAULT spool-disk-full: sent=%d landed=%d lost=%d counted_as_lost=%d%n", sent,
                    landed + spoolRows, sent - landed - spoolRows, spool.readings().droppedTotal());
            System.out.printf("disk full: acked before and while full %d of %d messages; after: acked %d, influx %d, spool rows %d,"
                            + " forwarder delivered %d, ledger received %.0f delivered %.0f, commit failures %.0f%n",
                    ackedWhileFull, MESSAGES, acked.get(), landed, spoolRows, forwarder.delivered(), ledger[0],
                    ledger[2], metrics.counter("fieldgate.ingest.commit.failures").count());
            assertEquals(MESSAGES, acked.get(), "every message acknowledged once there was room");
            assertEquals(sent, landed, "every reading in InfluxDB");
            assertEquals(0, spoolRows, "nothing left in the spool");
            assertEquals(sent, forwarder.delivered(), "each reading delivered once: no duplicate spool rows");
            assertEquals(sent, (long) ledger[0], "ledger received == distinct readings");
            assertEquals(sent, (long) ledger[2], "ledger delivered == distinct readings");
            assertTrue(committer.lastCommitError().isEmpty(), "the alarm clears by itself");
        }
    }

    static long rows(Spool spool, String sql) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + spool.file());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Received, flagged, delivered, unsynced over every ledger hour. */
    static double[] ledgerSums(Spool spool) {
        double[] sums = new double[4];
        for (HourlyCountStore.HourlyCount c : spool.hourlyCounts().between(0, Long.MAX_VALUE)) {
            sums[0] += c.received();
            sums[1] += c.flagged();
            sums[2] += c.delivered();
            sums[3] += c.clockUnsynced();
        }
        return sums;
    }
}
