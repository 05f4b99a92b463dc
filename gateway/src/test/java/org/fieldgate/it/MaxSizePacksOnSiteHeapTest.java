package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.ChildProcess;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.GatewayStatus;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Valid traffic at the documented limits, on the heap a site runs with (gateway/jvm.options: 96 MB): packs of
 * 5,500 records and about 230 KB, under the 262,144-byte and 10,000-record limits. Ingest once held up to 200 such
 * messages decoded in one commit group (1.1 million readings) and died of OutOfMemoryError, leaving a process that
 * answered /health 200 with ingest frozen. Every reading must be spooled, exactly; InfluxDB is down, so the spool
 * is where they are counted. The GC log gives the measured heap figures.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 400, unit = TimeUnit.SECONDS)
@StartsProcesses
class MaxSizePacksOnSiteHeapTest {
    private static final int PACKS = 100;
    private static final int RECORDS_PER_PACK = 5_500;
    private static final Pattern GC = Pattern.compile("Pause (Young|Full).* (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aHundredMaximumSizePacksAreAllSpooledOnA96MbHeap() throws IOException {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.configured()); // down: the spool holds everything
        // in a work directory of its own: the JVM rotates a log file that exists at its start (gc.log to gc.log.0),
        // which a lone temporary file left behind in /tmp at every run
        Path gcDir = ChildProcess.newWorkDir("gc-log");
        cleanup.add(() -> ChildProcess.deleteWorkDir(gcDir));
        Path gcLog = gcDir.resolve("gc.log");
        List<String> jvm = new ArrayList<>(GatewayProcess.siteJvmOptions());
        assertTrue(jvm.contains("-Xmx96m") && jvm.contains("-XX:+ExitOnOutOfMemoryError"), "site JVM options: " + jvm);
        jvm.add("-Xlog:gc:file=" + gcLog);
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-max-packs").jvmOptions(jvm).start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);

        long baseS = SenmlPacks.anHourAgo() - 86_400;
        long sent = 0;
        int largest = 0;
        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-probe-max-packs").connect()) {
            for (int i = 0; i < PACKS; i++) {
                Pack pack = pack(i, baseS);
                largest = Math.max(largest, pack.payload().length);
                publisher.publish(pack);
                sent += RECORDS_PER_PACK;
            }
            publisher.flush(Duration.ofSeconds(120));
            assertEquals(PACKS, publisher.acknowledgedPackCount(), "packs acknowledged by the broker; events " + publisher.events());
        }
        assertTrue(largest > 200_000 && largest <= 262_144, "largest pack " + largest + " bytes: near the 262,144-byte limit");

        long expected = sent;
        GatewayStatus done = Poll.value("all " + expected + " readings spooled", Duration.ofSeconds(300), Duration.ofSeconds(2),
                () -> {
                    if (!gateway.isAlive()) {
                        throw new AssertionError("gateway exited with code " + gateway.waitForExit(Duration.ZERO)
                                + "\n" + gateway.logTail());
                    }
                    return gateway.status();
                }, s -> s.ingested() >= expected, diagnostics);
        GatewayProcess.Health health = gateway.health();
        long[] heap = heapFigures(gcLog);
        System.out.println(PACKS + " packs of " + RECORDS_PER_PACK + " records (largest " + largest + " bytes) on "
                + jvm + ": spooled " + done.spoolDepth() + ", heap before GC at most " + heap[0] + " MB, after GC at most "
                + heap[1] + " MB, committed at most " + heap[2] + " MB; " + gateway.logLinesContaining("MQTT connected to")
                + " MQTT connection(s)");
        System.out.println("FAULT max-size-packs-site-heap: sent=" + sent + " landed=" + done.spoolDepth() + " lost="
                + (sent - done.spoolDepth()) + " counted_as_lost=" + done.deadLetters());

        assertEquals(sent, done.ingested(), "readings committed: each exactly once");
        assertEquals(sent, done.spoolDepth(), "readings in the spool");
        assertEquals(0, done.deadLetters(), "dead letters: every record was valid");
        assertEquals(200, health.httpStatus(), "/health " + health);
    }

    /**
     * Pack {@code i}: 5,500 records of short values, about 42 bytes each, as a node batching a day of readings sends
     * them; ten devices in turn, each pack 550 s after the previous one of its device, so no two readings share a key.
     */
    private static Pack pack(int i, long baseS) {
        String device = "probe-" + (i % 10);
        int channels = SenmlPacks.CHANNELS.length;
        long btS = baseS + (long) (i / 10) * (RECORDS_PER_PACK / channels);
        StringBuilder json = new StringBuilder(RECORDS_PER_PACK * 44).append('[');
        for (int r = 0; r < RECORDS_PER_PACK; r++) {
            String[] channel = SenmlPacks.CHANNELS[r % channels];
            json.append(r == 0 ? "{\"bn\":\"" + device + "/\",\"bt\":" + btS + "," : ",{")
                    .append("\"n\":\"").append(channel[0]).append("\",\"u\":\"").append(channel[1])
                    .append("\",\"v\":").append((r * 7 + i) % 1000 / 10.0).append(",\"t\":").append(r / channels).append('}');
        }
        return Pack.of(SenmlPacks.topic(Site.NAME, device), json.append(']').toString(), List.of(), "max-size pack " + i);
    }

    /** Largest heap occupancy before and after a collection, and largest committed heap, in MB, from the GC log. */
    private static long[] heapFigures(Path gcLog) throws IOException {
        long before = 0;
        long after = 0;
        long committed = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC.matcher(line);
            if (m.find()) {
                before = Math.max(before, Long.parseLong(m.group(2)));
                after = Math.max(after, Long.parseLong(m.group(3)));
                committed = Math.max(committed, Long.parseLong(m.group(4)));
            }
        }
        return new long[]{before, after, committed};
    }
}
