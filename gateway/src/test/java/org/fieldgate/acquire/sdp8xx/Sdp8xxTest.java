package org.fieldgate.acquire.sdp8xx;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.FakeBus;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Sdp8xxTest {
    private final VirtualClock clock = new VirtualClock();
    private final Sdp8xxFake chip = new Sdp8xxFake(clock);
    private final FakeBus bus = new FakeBus().attach(0x25, chip);

    @AfterEach
    void close() {
        bus.close();
    }

    private Sdp8xx driver(double k, Duration warmUp, int stuckRepeats) {
        return new Sdp8xx(bus.open(0x25), new Sdp8xx.Config(0x25, Sdp8xx.Model.SDP810_500PA, k, warmUp,
                stuckRepeats), clock);
    }

    @Test
    void convertsDpTemperatureAndFlow() throws ProbeException {
        // by hand: dp raw 3000 (0x0BB8) / 60 = 50 Pa; T raw 4700 (0x125C) / 200 = 23.5 °C;
        // flow with k = 0.01 m3/s/sqrt(Pa): 0.01 * sqrt(50) = 0.0707107 m3/s
        chip.setRaw(3000, 4700);
        List<Measurement> m = driver(0.01, Duration.ZERO, 0).sample();
        assertEquals(new Measurement("dp", "Pa", 50.0, 0), m.get(0));
        assertEquals(new Measurement("temp", "Cel", 23.5, 0), m.get(1));
        assertEquals("m3/s", m.get(2).unit());
        assertEquals(0.0707107, m.get(2).value(), 1e-7);
        // stop, start differential-pressure continuous with averaging, then one 9-byte frame with three CRCs
        assertEquals(List.of("W 3ff9", "W 3615"), chip.transactions().subList(0, 2));
        assertEquals("R 0bb8" + String.format("%02x", org.fieldgate.acquire.SensirionCrc.crc8(0x0b, 0xb8))
                + "125c" + String.format("%02x", org.fieldgate.acquire.SensirionCrc.crc8(0x12, 0x5c))
                + "003c" + String.format("%02x", org.fieldgate.acquire.SensirionCrc.crc8(0x00, 0x3c)),
                chip.transactions().get(2));
    }

    @Test
    void keepsTheSignOfReverseFlow() throws ProbeException {
        chip.setRaw(-1500, 4000); // -25 Pa
        List<Measurement> m = driver(0.02, Duration.ZERO, 0).sample();
        assertEquals(-25.0, m.get(0).value());
        assertEquals(-0.02 * 5, m.get(2).value(), 1e-12);
    }

    @Test
    void flagsTheFirst20Ms() throws ProbeException {
        Sdp8xx sdp = driver(0, Duration.ofMillis(20), 0);
        assertTrue(sdp.sample().get(0).has(QcFlags.WARMING_UP));
        clock.advance(Duration.ofMillis(20));
        assertEquals(0, sdp.sample().get(0).qc());
    }

    @Test
    void refusesAFrameWithTheWrongScaleFactor() {
        chip.scaleFactor = 240; // an SDP810-125Pa where the config says -500Pa
        ProbeException e = assertThrows(ProbeException.class, driver(0, Duration.ZERO, 0)::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("scale factor 240"), e.getMessage());
    }

    @Test
    void retriesACorruptFrameAndFailsOnPersistentCorruption() throws ProbeException {
        Sdp8xx sdp = driver(0, Duration.ZERO, 0);
        sdp.sample();
        chip.corruptNextReads(1);
        assertEquals(QcFlags.CRC_RETRIED, sdp.sample().get(0).qc());
        chip.corruptNextReads(2);
        assertEquals(ProbeException.Cause.CRC, assertThrows(ProbeException.class, sdp::sample).failure());
        assertEquals(3, sdp.counters().crcErrors());
        assertEquals(1, sdp.counters().failures());
        assertEquals(QcFlags.REINITIALISED, sdp.sample().get(0).qc());
    }

    @Test
    void recoversWhenTheSensorComesBack() throws ProbeException {
        Sdp8xx sdp = driver(0, Duration.ZERO, 0);
        sdp.sample();
        chip.disconnect();
        assertEquals(ProbeException.Cause.NACK, assertThrows(ProbeException.class, sdp::sample).failure());
        chip.reconnectAfterPowerCycle();
        // without a new start command an idle sensor NACKs every read: only the re-init brings data back
        chip.set(12.5, 21);
        List<Measurement> m = sdp.sample();
        assertEquals(12.5, m.get(0).value());
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertTrue(chip.continuous());
    }

    @Test
    void aStalledBusIsATimeout() {
        chip.stallBus(true);
        assertEquals(ProbeException.Cause.TIMEOUT,
                assertThrows(ProbeException.class, driver(0, Duration.ZERO, 0)::sample).failure());
    }

    @Test
    void flagsOverRangeAndStuckValues() throws ProbeException {
        Sdp8xx sdp = driver(0.01, Duration.ZERO, 2);
        chip.set(520, 21); // beyond the 500 Pa range of the part
        List<Measurement> m = sdp.sample();
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(0).qc());
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(2).qc()); // the flow derived from it too
        chip.set(600, 21);
        chip.set(1000, 21); // raw saturates at 32767
        assertEquals(32767 / 60.0, sdp.sample().get(0).value());
        List<Measurement> again = sdp.sample();
        assertEquals(QcFlags.OUT_OF_RANGE | QcFlags.STUCK_VALUE, again.get(0).qc());
        assertEquals(QcFlags.STUCK_VALUE, again.get(1).qc());
    }

    @Test
    void startCommandFollowsCompensationAndAveraging() throws ProbeException {
        // datasheet command table: 0x3603 / 0x3608 mass flow, 0x3615 / 0x361E differential pressure, each with /
        // without averaging till read
        int[][] expected = {{0x3615, 1, 1}, {0x361E, 1, 0}, {0x3603, 0, 1}, {0x3608, 0, 0}};
        for (int[] e : expected) {
            Sdp8xx.Compensation c = e[1] == 1 ? Sdp8xx.Compensation.DIFFERENTIAL_PRESSURE : Sdp8xx.Compensation.MASS_FLOW;
            Sdp8xx.Config config = new Sdp8xx.Config(0x25, Sdp8xx.Model.SDP810_500PA, 0, c, e[2] == 1,
                    Duration.ZERO, 0);
            assertEquals(e[0], config.startCommand());
            new Sdp8xx(bus.open(0x25), config, clock).sample();
            assertEquals(e[0], chip.startCommand, String.format("0x%04x", e[0]));
        }
    }
}
