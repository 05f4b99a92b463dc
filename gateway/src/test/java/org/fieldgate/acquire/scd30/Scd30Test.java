package org.fieldgate.acquire.scd30;

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

class Scd30Test {
    private final VirtualClock clock = new VirtualClock();
    private final Scd30Fake chip = new Scd30Fake(clock);
    private final FakeBus bus = new FakeBus().attach(0x61, chip);

    @AfterEach
    void close() {
        bus.close();
    }

    private Scd30 driver(Scd30.Config config) {
        return new Scd30(bus.open(0x61), config, clock);
    }

    private static Scd30.Config config(Duration warmUp, int stuckRepeats) {
        return new Scd30.Config(0x61, 2, 0, warmUp, stuckRepeats);
    }

    @Test
    void readsTheDatasheetExampleFrame() throws ProbeException {
        // the interface description's read-measurement example (439 ppm, 27.2 °C, 48.8 %RH), decoded by hand:
        // 43 DB 8C 2E = 2^8 * (1 + 0x5B8C2E / 2^23) = 439.0951 ppm, 41 D9 E7 FF = 2^4 * (1 + 0x59E7FF / 2^23)
        // = 27.2383 °C, 42 43 1A 27 = 2^5 * (1 + 0x431A27 / 2^23) = 48.7756 %RH
        chip.setBits(0x43DB8C2E, 0x41D9E7FF, 0x42431A27);
        Scd30 scd30 = driver(config(Duration.ZERO, 10));
        List<Measurement> m = scd30.sample();
        assertEquals(new Measurement("co2", "ppm", Float.intBitsToFloat(0x43DB8C2E), 0), m.get(0));
        assertEquals(439.0951, m.get(0).value(), 1e-4);
        assertEquals(27.2383, m.get(1).value(), 1e-4);
        assertEquals("Cel", m.get(1).unit());
        assertEquals(48.7756, m.get(2).value(), 1e-4);
        assertEquals("%RH", m.get(2).unit());
        // on the wire: firmware read, interval 2 s (00 02 + CRC E3), trigger with pressure off (00 00 + CRC 81)
        List<String> tx = chip.transactions();
        assertEquals("W d100", tx.get(0));
        assertEquals("W 46000002e3", tx.get(2));
        assertEquals("W 0010000081", tx.get(3));
        assertTrue(tx.contains("R 43db" + "cb" + "8c2e" + String.format("%02x", org.fieldgate.acquire.SensirionCrc.crc8(0x8c, 0x2e))
                + "41d9" + String.format("%02x", org.fieldgate.acquire.SensirionCrc.crc8(0x41, 0xd9))
                + "e7ff" + String.format("%02x", org.fieldgate.acquire.SensirionCrc.crc8(0xe7, 0xff))
                + "4243" + String.format("%02x", org.fieldgate.acquire.SensirionCrc.crc8(0x42, 0x43))
                + "1a27" + String.format("%02x", org.fieldgate.acquire.SensirionCrc.crc8(0x1a, 0x27))), tx.toString());
        assertEquals(1, scd30.counters().samples());
        assertEquals(1, scd30.counters().reinits());
    }

    @Test
    void passesAmbientPressureAndIntervalToTheChip() throws ProbeException {
        Scd30 scd30 = driver(new Scd30.Config(0x61, 5, 1013, Duration.ZERO, 0));
        List<Measurement> m = scd30.sample();
        assertEquals(1013, chip.ambientPressureMbar);
        assertEquals(5, chip.intervalS());
        assertEquals("co2", m.get(0).channel());
    }

    @Test
    void flagsWarmUpAfterStart() throws ProbeException {
        Scd30 scd30 = driver(config(Duration.ofSeconds(10), 0));
        assertTrue(scd30.sample().get(0).has(QcFlags.WARMING_UP)); // about 2 s after the trigger
        clock.advance(Duration.ofSeconds(10));
        assertEquals(0, scd30.sample().get(0).qc());
    }

    @Test
    void oneCorruptFrameIsRetriedAndFlagged() throws ProbeException {
        Scd30 scd30 = driver(config(Duration.ZERO, 0));
        scd30.sample();
        chip.set(612.5f, 11.5f, 80f);
        chip.corruptNextReads(1);
        List<Measurement> m = scd30.sample();
        assertEquals(612.5, m.get(0).value());
        assertEquals(QcFlags.CRC_RETRIED, m.get(0).qc());
        assertEquals(1, scd30.counters().crcErrors());
        assertEquals(0, scd30.counters().failures());
    }

    @Test
    void persistentCrcErrorsFailTheSampleThenRecover() throws ProbeException {
        Scd30 scd30 = driver(config(Duration.ZERO, 0));
        scd30.sample();
        chip.corruptNextReads(1000);
        ProbeException e = assertThrows(ProbeException.class, scd30::sample);
        assertEquals(ProbeException.Cause.CRC, e.failure());
        assertTrue(e.getMessage().startsWith("SCD30 at i2c-1/0x61: CRC"), e.getMessage());
        assertEquals(2, scd30.counters().crcErrors());
        assertEquals(1, scd30.counters().failures());
        chip.corruptNextReads(0);
        List<Measurement> m = scd30.sample();
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertEquals(2, scd30.counters().reinits());
    }

    @Test
    void aChipThatStopsAnsweringFailsAndIsReinitialisedWhenItReturns() throws ProbeException {
        Scd30 scd30 = driver(config(Duration.ZERO, 0));
        scd30.sample();
        chip.disconnect();
        ProbeException e = assertThrows(ProbeException.class, scd30::sample);
        assertEquals(ProbeException.Cause.NACK, e.failure());
        assertThrows(ProbeException.class, scd30::sample); // still gone: fails again, no crash
        assertEquals(2, scd30.counters().failures());
        assertTrue(scd30.counters().busErrors() >= 2);

        // it comes back from a power cycle idle: only a re-trigger gets data-ready again
        chip.reconnectAfterPowerCycle();
        assertTrue(!chip.measuring());
        chip.set(700f, 15f, 60f);
        List<Measurement> m = scd30.sample();
        assertTrue(chip.measuring());
        assertEquals(700.0, m.get(0).value());
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertEquals(0, scd30.sample().get(0).qc()); // and the one after is clean
    }

    @Test
    void aStalledBusIsATimeout() {
        Scd30 scd30 = driver(config(Duration.ZERO, 0));
        chip.stallBus(true);
        ProbeException e = assertThrows(ProbeException.class, scd30::sample);
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
    }

    @Test
    void dataReadyThatNeverComesIsATimeout() throws ProbeException {
        Scd30 scd30 = driver(config(Duration.ZERO, 0));
        scd30.sample();
        chip.reconnectAfterPowerCycle(); // a brown-out the bus never saw: the module sits idle
        ProbeException e = assertThrows(ProbeException.class, scd30::sample);
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        scd30.sample(); // re-initialised, measuring again
        assertTrue(chip.measuring());
    }

    @Test
    void flagsAStuckSensor() throws ProbeException {
        Scd30 scd30 = driver(config(Duration.ZERO, 3));
        chip.set(500f, 20f, 50f);
        assertEquals(0, scd30.sample().get(0).qc());
        assertEquals(0, scd30.sample().get(0).qc());
        Measurement third = scd30.sample().get(0);
        assertEquals(QcFlags.STUCK_VALUE, third.qc());
        assertEquals(500.0, third.value()); // flagged, not dropped
        chip.set(500.5f, 20f, 50f);
        List<Measurement> m = scd30.sample();
        assertEquals(0, m.get(0).qc());
        assertTrue(m.get(1).has(QcFlags.STUCK_VALUE)); // temperature still frozen
    }

    @Test
    void flagsValuesOutsideTheSpecifiedRange() throws ProbeException {
        Scd30 scd30 = driver(config(Duration.ZERO, 0));
        chip.set(45_000f, 75f, 50f);
        List<Measurement> m = scd30.sample();
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(0).qc());
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(1).qc());
        assertEquals(0, m.get(2).qc());
    }
}
