package org.fieldgate.acquire.li850;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.serial.FakeSerialLink;
import org.fieldgate.reading.QcFlags;
import org.junit.jupiter.api.Test;

/** The LI-850 driver against a byte-exact fake of the analyser's XML stream (9600 8N1, virtual time). */
class Li850Test {
    private final VirtualClock clock = new VirtualClock();
    private final Li850Fake analyser = new Li850Fake(clock);
    private final FakeSerialLink link = new FakeSerialLink(clock, Li850.DEFAULT_SERIAL, analyser, true);
    private final Li850 li850 = new Li850(link, new Li850.Config(Li850.Model.LI850, Duration.ofSeconds(3),
            Duration.ZERO), clock);

    private static final String REC_1 = Li850Fake.record("412.35", "11.872", "51.20", "98.513");
    private static final String REC_2 = Li850Fake.record("4.1402e2", "1.1901e1", "5.1210e1", "9.8520e1");

    @Test
    void selectsTheOutputWaitsForTheAckAndReadsTheRecordExactly() throws ProbeException {
        analyser.afterAck = REC_1;
        List<Measurement> m = li850.sample();
        assertEquals(List.of(new Measurement("co2", "ppm", 412.35, 0), new Measurement("h2o", "mmol/mol", 11.872, 0),
                new Measurement("cell_temp", "Cel", 51.20, 0), new Measurement("cell_pressure", "kPa", 98.513, 0)), m);
        assertEquals(List.of("TX <li850><rs232><co2>true</co2><h2o>true</h2o><celltemp>true</celltemp>"
                + "<cellpres>true</cellpres></rs232></li850>\\n"), link.sent());
        assertEquals(1, analyser.commands.size());
        assertEquals("LI850", li850.model());
        assertEquals(1, li850.records());
        assertEquals(0, li850.counters().busErrors());
    }

    @Test
    void readsExponentNotationAndTakesTheNewestOfSeveralRecords() throws ProbeException {
        analyser.afterAck = REC_1;
        li850.sample();
        analyser.send(Duration.ZERO, REC_1);
        analyser.send(Duration.ZERO, REC_2);
        clock.advance(Duration.ofSeconds(2));
        List<Measurement> m = li850.sample();
        assertEquals(414.02, m.get(0).value(), 1e-9);
        assertEquals(11.901, m.get(1).value(), 1e-9);
        assertEquals(3, li850.records());
    }

    @Test
    void garbageBeforeAndBetweenRecordsIsSkippedAndCounted() throws ProbeException {
        analyser.afterAck = REC_1;
        li850.sample();
        analyser.noise(new byte[] {(byte) 0xff, 0x13, 'x', 'q', '<', 'l', 'i'});
        analyser.send(Duration.ZERO, "#@!garbage\r\n" + REC_2);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(414.02, li850.sample().get(0).value(), 1e-9);
        assertEquals(1, li850.counters().busErrors());
        assertEquals(0, li850.counters().failures());
    }

    @Test
    void aTruncatedRecordIsDroppedAndTheNextOneRead() throws ProbeException {
        analyser.afterAck = REC_1;
        li850.sample();
        analyser.send(Duration.ZERO, REC_1.substring(0, 40) + REC_2);
        clock.advance(Duration.ofSeconds(1));
        List<Measurement> m = li850.sample();
        assertEquals(414.02, m.get(0).value(), 1e-9);
        assertEquals(1, li850.counters().busErrors());
        assertEquals(2, li850.records());
    }

    @Test
    void aRecordWithANonNumberIsSkippedNotReported() throws ProbeException {
        analyser.afterAck = REC_1;
        li850.sample();
        analyser.send(Duration.ZERO, Li850Fake.record("ovf", "11.9", "51.2", "98.5") + REC_2);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(414.02, li850.sample().get(0).value(), 1e-9);
        assertEquals(1, li850.counters().busErrors());
    }

    @Test
    void aStallIsATimeoutAGapAndTheDriverRecovers() throws ProbeException {
        analyser.afterAck = REC_1;
        li850.sample();
        long before = clock.nanoTime();
        ProbeException e = assertThrows(ProbeException.class, li850::sample);
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        assertEquals(3_000_000_000L, clock.nanoTime() - before);
        assertTrue(e.getMessage().contains("no complete <li850><data> record within 3000 ms"), e.getMessage());
        // back: the output selection is sent again, and the first values are flagged REINITIALISED
        analyser.afterAck = REC_2;
        List<Measurement> m = li850.sample();
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertEquals(2, link.sent().size());
        assertEquals(1, li850.counters().failures());
        assertEquals(2, li850.counters().samples());
    }

    @Test
    void onlyGarbageFailsTheSampleSayingSo() throws ProbeException {
        analyser.afterAck = REC_1;
        li850.sample();
        analyser.send(Duration.ZERO, "<li850><data><co2>41");
        ProbeException e = assertThrows(ProbeException.class, li850::sample);
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        assertTrue(e.getMessage().contains("incomplete: '<li850><data><co2>41'"), e.getMessage());
    }

    @Test
    void anErrorElementFlagsTheNextValuesStatusWarning() throws ProbeException {
        analyser.afterAck = REC_1;
        li850.sample();
        analyser.send(Duration.ZERO, "<li850><error>pump failure</error></li850>\n" + REC_2);
        clock.advance(Duration.ofSeconds(1));
        List<Measurement> m = li850.sample();
        for (Measurement x : m) {
            assertEquals(QcFlags.STATUS_WARNING, x.qc(), x.toString());
        }
        assertEquals("pump failure", li850.lastError());
        // the warning belongs to that record only
        analyser.send(Duration.ZERO, REC_1);
        assertEquals(0, li850.sample().get(0).qc());
    }

    @Test
    void aNonZeroDiagFlagsStatusWarning() throws ProbeException {
        analyser.afterAck = REC_1.replace("</cellpres>", "</cellpres><diag>4</diag>");
        List<Measurement> m = li850.sample();
        assertEquals(4, m.size());
        for (Measurement x : m) {
            assertEquals(QcFlags.STATUS_WARNING, x.qc(), x.toString());
        }
        analyser.send(Duration.ZERO, REC_1.replace("</cellpres>", "</cellpres><diag>0</diag>"));
        assertEquals(0, li850.sample().get(0).qc());
    }

    @Test
    void valuesOutsideThePlausibleRangeAreFlagged() throws ProbeException {
        // cell pressure in hPa instead of kPa
        analyser.afterAck = Li850Fake.record("412.3", "11.8", "51.2", "985.13");
        List<Measurement> m = li850.sample();
        assertEquals(0, m.get(0).qc());
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(3).qc());
    }

    @Test
    void aRefusedOutputSelectionIsABadResponse() {
        analyser.refuse = true;
        ProbeException e = assertThrows(ProbeException.class, li850::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("<ack>FALSE</ack>"), e.getMessage());
    }

    @Test
    void aSilentAnalyserTimesOutAtInitialisation() {
        analyser.silence(true);
        ProbeException e = assertThrows(ProbeException.class, li850::sample);
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        assertTrue(e.getMessage().contains("no <ack>"), e.getMessage());
    }

    @Test
    void anUnpluggedAdapterIsANack() {
        link.unplug(true);
        assertEquals(ProbeException.Cause.NACK, assertThrows(ProbeException.class, li850::sample).failure());
    }

    @Test
    void anLi830HasNoH2oChannel() throws ProbeException {
        VirtualClock c = new VirtualClock();
        InstrumentEcho830 fake = new InstrumentEcho830(c);
        FakeSerialLink l = new FakeSerialLink(c, Li850.DEFAULT_SERIAL, fake, true);
        Li850 li830 = new Li850(l, new Li850.Config(Li850.Model.LI830, Duration.ofSeconds(3), Duration.ZERO), c);
        List<Measurement> m = li830.sample();
        assertEquals(List.of("co2", "cell_temp", "cell_pressure"), m.stream().map(Measurement::channel).toList());
        assertEquals("TX <li830><rs232><co2>true</co2><celltemp>true</celltemp><cellpres>true</cellpres></rs232>"
                + "</li830>\\n", l.sent().get(0));
    }

    /** An LI-830: ACKs and then writes one record without H2O. */
    private static final class InstrumentEcho830 extends org.fieldgate.acquire.serial.InstrumentFake {
        InstrumentEcho830(VirtualClock clock) {
            super(clock);
        }

        @Override
        protected void onReceive(byte[] tx) {
            reply(Duration.ofMillis(20), Li850Fake.ascii("<li830><ack>TRUE</ack></li830>\n"));
            reply(Duration.ofMillis(500), Li850Fake.ascii(
                    "<li830><data><co2>402.1</co2><celltemp>51.0</celltemp><cellpres>98.4</cellpres></data></li830>\n"));
        }
    }
}
