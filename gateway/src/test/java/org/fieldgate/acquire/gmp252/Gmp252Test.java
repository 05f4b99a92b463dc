package org.fieldgate.acquire.gmp252;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.serial.FakeSerialLink;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gmp252Test {
    private final VirtualClock clock = new VirtualClock();
    private final Gmp252Fake probe = new Gmp252Fake(clock, 240, Gmp252.DEFAULT_SERIAL.charNanos());
    private final FakeSerialLink link = new FakeSerialLink(clock, Gmp252.DEFAULT_SERIAL, probe, false);

    private Gmp252 driver(Duration warmUp, int stuckRepeats) {
        return new Gmp252(link, new Gmp252.Config(240, Duration.ofMillis(500), warmUp, stuckRepeats), clock);
    }

    @Test
    void readsCo2AndTemperatureWithExactFrames() throws ProbeException {
        // 612.5 ppm = 0x44192000, 11.25 °C = 0x41340000: least significant word first on the wire
        probe.set(612.5f, 11.0f, 11.25f);
        Gmp252 gmp = driver(Duration.ZERO, 10);
        List<Measurement> m = gmp.sample();
        assertEquals(new Measurement("co2", "ppm", 612.5, 0), m.get(0));
        assertEquals(new Measurement("temp", "Cel", 11.25, 0), m.get(1));
        assertEquals("GMP252", gmp.model());
        assertEquals("/dev/ttyFAKE0/240", gmp.address());
        List<String> t = link.transcript();
        // initialise: status registers 0x0800+2 from slave 240 (0xF0)
        assertEquals("TX f0 03 08 00 00 02 " + crc(0xf0, 0x03, 0x08, 0x00, 0x00, 0x02), t.get(0));
        assertEquals("RX f0 03 04 00 00 00 00 " + crc(0xf0, 0x03, 0x04, 0, 0, 0, 0), t.get(1));
        // measurement block 0x0000+6, then status again
        assertEquals("TX f0 03 00 00 00 06 " + crc(0xf0, 0x03, 0, 0, 0, 6), t.get(2));
        assertEquals("RX f0 03 0c 20 00 44 19 00 00 41 30 00 00 41 34 "
                + crc(0xf0, 3, 0x0c, 0x20, 0, 0x44, 0x19, 0, 0, 0x41, 0x30, 0, 0, 0x41, 0x34), t.get(3));
        assertEquals(t.get(0), t.get(4));
        assertEquals(0, probe.silenceViolations());
        assertEquals(1, gmp.counters().samples());
    }

    private static String crc(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        int c = org.fieldgate.acquire.modbus.ModbusCrc.crc16(b, 0, b.length);
        return String.format("%02x %02x", c & 0xFF, c >>> 8);
    }

    @Test
    void flagsWarmUpAfterStart() throws ProbeException {
        Gmp252 gmp = driver(Duration.ofSeconds(120), 0);
        assertTrue(gmp.sample().get(0).has(QcFlags.WARMING_UP));
        clock.advance(Duration.ofSeconds(120));
        assertEquals(0, gmp.sample().get(0).qc());
    }

    @Test
    void oneCorruptAnswerIsRetriedAndFlagged() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        gmp.sample();
        probe.set(700f, 15f, 15f);
        probe.corruptNextReplies(1);
        List<Measurement> m = gmp.sample();
        assertEquals(700.0, m.get(0).value());
        assertEquals(QcFlags.CRC_RETRIED, m.get(0).qc());
        assertEquals(1, gmp.counters().crcErrors());
        assertEquals(0, gmp.counters().failures());
    }

    @Test
    void persistentCrcErrorsFailTheSampleThenRecover() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        gmp.sample();
        probe.corruptNextReplies(2);
        ProbeException e = assertThrows(ProbeException.class, gmp::sample);
        assertEquals(ProbeException.Cause.CRC, e.failure());
        assertTrue(e.getMessage().startsWith("GMP252 at /dev/ttyFAKE0/240: CRC: answer f0 03 0c"), e.getMessage());
        assertEquals(2, gmp.counters().crcErrors());
        assertEquals(1, gmp.counters().failures());
        List<Measurement> m = gmp.sample();
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertEquals(2, gmp.counters().reinits());
    }

    @Test
    void noAnswerIsATimeoutAndTheProbeRecoversWhenItAnswersAgain() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        gmp.sample();
        probe.silence(true);
        long before = clock.nanoTime();
        ProbeException e = assertThrows(ProbeException.class, gmp::sample);
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        assertTrue(e.getMessage().contains("no answer to function 0x03 register 0+6 within 500 ms"), e.getMessage());
        assertTrue(clock.nanoTime() - before >= 500_000_000L);
        assertThrows(ProbeException.class, gmp::sample); // still silent: fails again, no crash
        assertEquals(2, gmp.counters().failures());
        assertEquals(2, gmp.counters().busErrors());

        probe.silence(false);
        probe.set(800f, 10f, 10f);
        List<Measurement> m = gmp.sample();
        assertEquals(800.0, m.get(0).value());
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertEquals(0, gmp.sample().get(0).qc());
    }

    @Test
    void anUnpluggedAdapterIsANack() {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        link.unplug(true);
        ProbeException e = assertThrows(ProbeException.class, gmp::sample);
        assertEquals(ProbeException.Cause.NACK, e.failure());
        assertTrue(e.getMessage().contains("No such device"), e.getMessage());
    }

    @Test
    void anExceptionResponseNamesItsCode() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        gmp.sample();
        probe.forceException(4);
        ProbeException e = assertThrows(ProbeException.class, gmp::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("exception response 0x83, code 4 (SERVER DEVICE FAILURE)"), e.getMessage());
        assertEquals("RX f0 83 04 " + crc(0xf0, 0x83, 0x04), link.transcript().get(link.transcript().size() - 1));
        probe.forceException(0);
        assertEquals(QcFlags.REINITIALISED, gmp.sample().get(0).qc());
    }

    @Test
    void aWrongSlaveAddressIsSilence() {
        Gmp252 gmp = new Gmp252(link, new Gmp252.Config(241, Duration.ofMillis(500), Duration.ZERO, 0), clock);
        assertEquals(ProbeException.Cause.TIMEOUT, assertThrows(ProbeException.class, gmp::sample).failure());
        assertEquals(0, probe.requests());
    }

    @Test
    void deviceStatusBySeverity() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        probe.status(4, 0); // warning: keep the value, flag it
        assertEquals(QcFlags.STATUS_WARNING, gmp.sample().get(0).qc());
        probe.status(2, 0); // error the probe may recover from
        assertEquals(QcFlags.STATUS_WARNING, gmp.sample().get(1).qc());
        probe.status(0, 2); // CO2 not reliable
        assertEquals(QcFlags.STATUS_WARNING, gmp.sample().get(0).qc());
        probe.status(0, 256); // CO2 not yet available: no value to keep
        ProbeException e = assertThrows(ProbeException.class, gmp::sample);
        assertTrue(e.getMessage().contains("reading not yet available"), e.getMessage());
        probe.status(1, 0); // critical: maintenance needed
        e = assertThrows(ProbeException.class, gmp::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("critical error"), e.getMessage());
        probe.status(0, 0);
        assertEquals(QcFlags.REINITIALISED, gmp.sample().get(0).qc());
    }

    @Test
    void flagsAStuckSensor() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 3);
        probe.set(500f, 20f, 20f);
        assertEquals(0, gmp.sample().get(0).qc());
        assertEquals(0, gmp.sample().get(0).qc());
        Measurement third = gmp.sample().get(0);
        assertEquals(QcFlags.STUCK_VALUE, third.qc());
        assertEquals(500.0, third.value());
        probe.set(500.25f, 20f, 20f);
        assertEquals(0, gmp.sample().get(0).qc());
    }

    @Test
    void flagsValuesOutsideTheRange() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        probe.set(31_000f, 20f, 65f);
        List<Measurement> m = gmp.sample();
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(0).qc());
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(1).qc());
        probe.set(-5f, 20f, 20f);
        assertEquals(QcFlags.OUT_OF_RANGE, gmp.sample().get(0).qc());
    }

    @Test
    void aNonFiniteFloatIsABadResponse() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        probe.set(Float.NaN, 20f, 20f);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, assertThrows(ProbeException.class, gmp::sample).failure());
    }

    @Test
    void aLateAnswerToAnEarlierRequestIsDiscarded() throws ProbeException {
        Gmp252 gmp = driver(Duration.ZERO, 0);
        gmp.sample();
        probe.latency(Duration.ofMillis(600)); // answers after the driver gave up
        assertThrows(ProbeException.class, gmp::sample);
        probe.latency(Duration.ofMillis(20));
        clock.advance(Duration.ofSeconds(1)); // the late answer is now waiting in the input buffer
        probe.set(901f, 20f, 20f);
        assertEquals(901.0, gmp.sample().get(0).value());
    }
}
