package org.fieldgate.acquire.li7810;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LI-7810 driver against a real mosquitto standing in for the analyser's own broker, and a publisher putting the
 * instrument's payloads on the manual's topics: normal records, DIAG bits, garbage, a stall, a refused header and a
 * broker restart.
 */
@StartsProcesses
class Li7810StreamTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static final long T = 1_765_000_000L; // instrument seconds of the first record

    private MosquittoProcess broker;
    private Li7810Fake analyser;
    private PahoTopicLink link;
    private Li7810Stream li7810;
    private long failuresAtLastGood = -1;
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws Exception {
        broker = MosquittoProcess.started();
        analyser = new Li7810Fake(broker.url());
        link = new PahoTopicLink("127.0.0.1", broker.port(), "fieldgate-test-analyser");
        li7810 = new Li7810Stream(link, new Li7810Stream.Config(Li7810Stream.Model.LI7810, TIMEOUT,
                Duration.ofSeconds(3), Duration.ZERO), BusClock.SYSTEM);
    }

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        li7810.close();
        analyser.close();
        broker.close();
    }

    /** One sample; the records are published once the driver is subscribed (the first sample connects). */
    private List<Measurement> sampleAfter(String... records) throws Exception {
        // the driver (re)connects on its first sample and on the one after a failure
        boolean connects = failuresAtLastGood != li7810.counters().failures();
        long before = link.connections();
        Future<List<Measurement>> f = pool.submit(li7810::sample);
        Poll.until("the driver subscribed", Duration.ofSeconds(10),
                () -> (!connects || link.connections() > before) && link.connected() || f.isDone());
        for (String r : records) {
            analyser.record(r);
        }
        try {
            List<Measurement> m = f.get(10, TimeUnit.SECONDS);
            failuresAtLastGood = li7810.counters().failures();
            return m;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private static String rec(long s, long diag, String co2) {
        return Li7810Fake.data(s, 250_000_000L, diag, "12345.6", co2, "1987.65", "66.012", "55.004");
    }

    @Test
    void readsARecordExactlyInTheHeadersColumns() throws Exception {
        analyser.header(Li7810Fake.HEADER);
        List<Measurement> m = sampleAfter(rec(T, 0, "415.123"));
        assertEquals(List.of(new Measurement("co2_dry", "ppm", 415.123, 0),
                new Measurement("ch4_dry", "ppb", 1987.65, 0), new Measurement("h2o", "mmol/mol", 12.3456, 0),
                new Measurement("cell_temp", "Cel", 55.004, 0), new Measurement("cell_pressure", "kPa", 66.012, 0)),
                m.stream().map(x -> new Measurement(x.channel(), x.unit(), Math.round(x.value() * 1e6) / 1e6,
                        x.qc())).toList());
        assertEquals(T * 1_000_000_000L + 250_000_000L, li7810.latest().instrumentTimeNs());
        assertEquals("LI-7810", li7810.model());
        assertEquals("tcp://127.0.0.1:" + broker.port(), li7810.address());
        // two records before the next sample: the newer one is taken
        analyser.record(rec(T + 1, 0, "416.5"));
        analyser.record(rec(T + 2, 0, "417.25"));
        Poll.until("both records arrived", Duration.ofSeconds(5), () -> link.queued() == 2);
        m = li7810.sample();
        assertEquals(417.25, m.get(0).value(), 1e-9);
        assertEquals(3, li7810.records());
        assertEquals(0, li7810.counters().busErrors());
    }

    @Test
    void diagNotZeroFlagsEveryValueOfThatRecord() throws Exception {
        analyser.header(Li7810Fake.HEADER);
        // any DIAG bit (the manual's bit meanings were not reachable: each one is a fault) flags STATUS_WARNING, only
        // that record's values, nothing else; the record is still a record, not garbage or a failure
        long[] diags = {8, 1, 0x4000, 0};
        for (int i = 0; i < diags.length; i++) {
            List<Measurement> m = sampleAfter(rec(T + i, diags[i], "415.0"));
            int expected = diags[i] != 0 ? QcFlags.STATUS_WARNING : 0;
            assertEquals(5, m.size());
            assertTrue(m.stream().allMatch(x -> x.qc() == expected), diags[i] + ": " + m);
            assertEquals(diags[i], li7810.latest().diag());
        }
        assertEquals(4, li7810.records());
        assertEquals(0, li7810.garbage());
        assertEquals(0, li7810.counters().failures());
        assertEquals(0, li7810.counters().busErrors());
        // the diagnostics topic is kept for the operator, it does not flag records
        analyser.publish(Li7810Stream.DIAGNOSTICS_TOPIC, "DATA\t1765000004\t0\tLASER_T\t25.002\n", false);
        List<Measurement> m = sampleAfter(rec(T + 4, 0, "415.5"));
        assertTrue(m.stream().allMatch(x -> x.qc() == 0), m.toString());
        assertEquals(1, li7810.diagnosticsMessages());
        assertEquals(5, li7810.records());
    }

    @Test
    void garbageIsSkippedCountedAndNamedNeverTurnedIntoAValue() throws Exception {
        analyser.header(Li7810Fake.HEADER);
        sampleAfter(rec(T, 0, "415.0"));
        analyser.publish(Li7810Stream.DATA_TOPIC, new byte[] {0, (byte) 0xff, 'x', 0x13}, false);
        analyser.record(rec(T + 1, 0, "4l5.1"));
        List<Measurement> m = sampleAfter(rec(T + 2, 0, "418.0"));
        assertEquals(418.0, m.get(0).value(), 1e-9);
        assertEquals(2, li7810.garbage());
        assertEquals(Li7810Stream.DATA_TOPIC + ": field CO2: value '4l5.1': not a finite number", li7810.lastProblem());
        // only garbage within the timeout: the sample fails and says what was refused
        ProbeException e = assertThrows(ProbeException.class, () -> sampleAfter("DATA\t1765000003\t0\n"));
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        assertTrue(e.getMessage().contains("1 payload(s) refused, the last: " + Li7810Stream.DATA_TOPIC
                + ": record: 2 values, the header (DATAH) names 13 columns"), e.getMessage());
        assertEquals(3, li7810.garbage());
        assertEquals(3, li7810.counters().busErrors());
    }

    @Test
    void aStallFailsTheSampleAndARepeatedRecordIsNotNew() throws Exception {
        analyser.header(Li7810Fake.HEADER);
        sampleAfter(rec(T, 0, "415.0"));
        long t0 = System.nanoTime();
        ProbeException e = assertThrows(ProbeException.class, () -> li7810.sample());
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        assertTrue(e.getMessage().contains("no new record on licor/niobrara/output/concentration within 1500 ms"),
                e.getMessage());
        assertTrue(waitedMs >= 1400 && waitedMs < 5000, "waited " + waitedMs + " ms");
        // the same record again (instrument time not advancing): a stuck publisher, not a new sample
        e = assertThrows(ProbeException.class, () -> sampleAfter(rec(T, 0, "415.0")));
        assertTrue(e.getMessage().contains("1 repeated record(s)"), e.getMessage());
        assertEquals(1, li7810.repeats());
        assertEquals(2, li7810.counters().failures());
    }

    @Test
    void aHeaderWithoutAColumnOrWithAnotherUnitIsAClearErrorUntilAGoodOneComes() throws Exception {
        analyser.header(Li7810Fake.HEADER.replace("\tCH4", "\tCH4X"));
        ProbeException e = assertThrows(ProbeException.class, () -> sampleAfter(rec(T, 0, "415.0")));
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("the header on licor/niobrara/output/concentration/units was refused: "
                + "column CH4: missing (columns: SECONDS, NANOSECONDS, NDX, DIAG, REMARK, DATE, TIME, H2O, CO2, CH4X,"),
                e.getMessage());
        analyser.header(Li7810Fake.HEADER.replace("\tppm\tppm\tppb", "\tppm\tppb\tppb"));
        e = assertThrows(ProbeException.class, () -> sampleAfter(rec(T + 1, 0, "415.0")));
        assertTrue(e.getMessage().contains("column CO2: unit 'ppb', expected ppm"), e.getMessage());
        analyser.header(Li7810Fake.HEADER);
        List<Measurement> m = sampleAfter(rec(T + 2, 0, "415.0"));
        assertEquals(415.0, m.get(0).value(), 1e-9);
    }

    @Test
    void readsTheJsonSpellingToo() throws Exception {
        analyser.header("{\"SECONDS\":\"secs\",\"NANOSECONDS\":\"nsecs\",\"DIAG\":\"diag\",\"H2O\":\"ppm\","
                + "\"CO2\":\"ppm\",\"CH4\":\"ppb\",\"CAVITY_P\":\"kPa\",\"CAVITY_T\":\"C\"}");
        List<Measurement> m = sampleAfter("{\"SECONDS\":1765000000,\"NANOSECONDS\":0,\"DIAG\":0,\"H2O\":9876.5,"
                + "\"CO2\":[421.75,1],\"CH4\":2001.5,\"CAVITY_P\":66.0,\"CAVITY_T\":55.0}");
        assertEquals(421.75, m.get(0).value(), 1e-9);
        assertEquals(2001.5, m.get(1).value(), 1e-9);
        assertEquals(9.8765, m.get(2).value(), 1e-9);
    }

    @Test
    void aBrokerRestartIsALostConnectionThenRefusedConnectsThenReadingAgain() throws Exception {
        analyser.header(Li7810Fake.HEADER);
        sampleAfter(rec(T, 0, "415.0"));
        analyser.close();
        broker.stop();
        Poll.until("the link noticed the broker gone", Duration.ofSeconds(10), () -> !link.connected());
        ProbeException lost = assertThrows(ProbeException.class, () -> li7810.sample());
        assertEquals(ProbeException.Cause.NACK, lost.failure());
        assertTrue(lost.getMessage().contains("connection to the analyser's broker lost (1 so far)"), lost.getMessage());
        ProbeException refused = assertThrows(ProbeException.class, () -> li7810.sample());
        assertEquals(ProbeException.Cause.NACK, refused.failure());
        assertTrue(refused.getMessage().contains("cannot subscribe to the analyser's broker (connection 1 failed"),
                refused.getMessage());
        assertEquals(1, li7810.connectFailures());

        broker.start();
        analyser = new Li7810Fake(broker.url());
        analyser.header(Li7810Fake.HEADER);
        List<Measurement> m = sampleAfter(rec(T + 5, 0, "430.5"));
        assertEquals(430.5, m.get(0).value(), 1e-9);
        assertTrue(m.stream().allMatch(x -> (x.qc() & QcFlags.REINITIALISED) != 0), "flagged as after a reconnect");
        assertEquals(1, link.connectionsLost());
        assertEquals(2, li7810.counters().failures());
        assertNotNull(li7810.latest());
    }
}
