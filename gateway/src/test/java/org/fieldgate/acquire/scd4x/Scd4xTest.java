package org.fieldgate.acquire.scd4x;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Scd4xTest {
    private final VirtualClock clock = new VirtualClock();
    private final Scd4xFake chip = new Scd4xFake(clock);
    private final FakeBus bus = new FakeBus().attach(0x62, chip);

    @AfterEach
    void close() {
        bus.close();
    }

    private Scd4x driver(int stuckRepeats) {
        return new Scd4x(bus.open(0x62), new Scd4x.Config(0x62, 0, Duration.ZERO, stuckRepeats), clock);
    }

    @Test
    void readsTheDatasheetExample() throws ProbeException {
        // the datasheet's read_measurement example values, 500 ppm, 25 °C, 37 %RH: words 01F4, 6667, 5EB9,
        // each with its CRC-8 (0x33, 0xA2, 0x3C, computed with poly 0x31 init 0xFF)
        // hand check: -45 + 175 * 0x6667 / 65535 = -45 + 175 * 26215 / 65535 = 25.0027 °C; 100 * 24249 / 65535 = 37.0016 %
        chip.setWords(0x01F4, 0x6667, 0x5EB9);
        Scd4x scd4x = driver(0);
        List<Measurement> m = scd4x.sample();
        assertEquals(500.0, m.get(0).value());
        assertEquals(-45 + 175.0 * 26215 / 65535, m.get(1).value(), 1e-12);
        assertEquals(25.0027, m.get(1).value(), 1e-4);
        assertEquals(37.0016, m.get(2).value(), 1e-4);
        assertTrue(chip.transactions().contains("R 01f4336667a25eb93c"), chip.transactions().toString());
        assertEquals(Scd4xFake.SERIAL, scd4x.serialNumber());
        assertEquals(0, m.get(0).qc() | m.get(1).qc() | m.get(2).qc());
        // stop first, then (after 500 ms) serial number, then start
        assertEquals(List.of("W 3f86", "W 3682"), chip.transactions().subList(0, 2));
        assertEquals("W 21b1", chip.transactions().get(3));
    }

    @Test
    void sendsAmbientPressureInHectopascal() throws ProbeException {
        Scd4x scd4x = new Scd4x(bus.open(0x62), new Scd4x.Config(0x62, 95_000, Duration.ZERO, 0), clock);
        scd4x.sample();
        assertEquals(950, chip.ambientPressureHpa);
    }

    @Test
    void initialisesAChipThatIsStillMeasuring() throws ProbeException {
        Scd4x first = driver(0);
        first.sample(); // leaves the chip in periodic mode, as a gateway restart would
        assertTrue(chip.measuring());
        Scd4x second = driver(0);
        assertEquals(3, second.sample().size());
    }

    @Test
    void oneCorruptFrameIsRetriedAndFlagged() throws ProbeException {
        Scd4x scd4x = driver(0);
        scd4x.sample();
        chip.corruptNextReads(1);
        List<Measurement> m = scd4x.sample();
        assertEquals(QcFlags.CRC_RETRIED, m.get(0).qc());
        assertEquals(1, scd4x.counters().crcErrors());
    }

    @Test
    void persistentCrcErrorsRaiseAndCount() {
        Scd4x scd4x = driver(0);
        chip.corruptNextReads(1000);
        ProbeException e = assertThrows(ProbeException.class, scd4x::sample);
        assertEquals(ProbeException.Cause.CRC, e.failure());
        assertTrue(scd4x.counters().crcErrors() >= 1);
        assertEquals(1, scd4x.counters().failures());
    }

    @Test
    void recoversAfterThePowerComesBack() throws ProbeException {
        Scd4x scd4x = driver(0);
        scd4x.sample();
        chip.disconnect();
        assertEquals(ProbeException.Cause.NACK, assertThrows(ProbeException.class, scd4x::sample).failure());
        chip.reconnectAfterPowerCycle();
        assertFalse(chip.measuring());
        clock.advance(Duration.ofMillis(50));
        chip.setWords(800, 0x6667, 0x5EB9);
        List<Measurement> m = scd4x.sample();
        assertEquals(800.0, m.get(0).value());
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertEquals(2, scd4x.counters().reinits());
    }

    @Test
    void aStalledBusIsATimeout() {
        Scd4x scd4x = driver(0);
        chip.stallBus(true);
        assertEquals(ProbeException.Cause.TIMEOUT, assertThrows(ProbeException.class, scd4x::sample).failure());
    }

    @Test
    void flagsStuckAndOutOfRangeValues() throws ProbeException {
        Scd4x scd4x = driver(2);
        chip.setWords(0, 0xFFFF, 0x5EB9); // 0 ppm; 130 °C
        List<Measurement> m = scd4x.sample();
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(0).qc());
        assertEquals(130.0, m.get(1).value(), 1e-9);
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(1).qc());
        List<Measurement> again = scd4x.sample();
        assertEquals(QcFlags.OUT_OF_RANGE | QcFlags.STUCK_VALUE, again.get(0).qc());
        assertEquals(QcFlags.STUCK_VALUE, again.get(2).qc());
    }
}
