package org.fieldgate.acquire;

import org.fieldgate.reading.QcFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared contract, with a driver that turns whatever the chip says into a value and a nothing-there bus. */
class I2cProbeTest {
    private final VirtualClock clock = new VirtualClock();
    private final FakeBus bus = new FakeBus();

    @AfterEach
    void close() {
        bus.close();
    }

    @Test
    void nothingAtTheAddressIsANackNamingChipAndAddress() {
        I2cProbe probe = new I2cProbe(new I2cLink(bus.open(0x40), "TEST"), clock, Duration.ZERO) {
            @Override
            protected void initialise() throws ProbeException {
                link.write((byte) 0);
            }

            @Override
            protected List<Measurement> acquire() {
                return List.of();
            }
        };
        ProbeException e = assertThrows(ProbeException.class, probe::sample);
        assertEquals(ProbeException.Cause.NACK, e.failure());
        assertEquals("TEST", e.model());
        assertEquals("i2c-1/0x40", e.address());
        assertTrue(e.getMessage().startsWith("TEST at i2c-1/0x40: NACK: write of 1 bytes failed"), e.getMessage());
        assertEquals(new ProbeCounters(0, 1, 0, 1, 1), probe.counters());
    }

    @Test
    void anImpossibleValueBecomesAProbeExceptionNotACrash() {
        I2cProbe probe = new I2cProbe(new I2cLink(bus.open(0x40), "TEST"), clock, Duration.ZERO) {
            @Override
            protected void initialise() {
            }

            @Override
            protected List<Measurement> acquire() {
                return List.of(new Measurement("x", "V", Double.NaN, 0));
            }
        };
        ProbeException e = assertThrows(ProbeException.class, probe::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertEquals(1, probe.counters().failures());
    }

    @Test
    void measurementsKeepToTheWireContract() {
        assertThrows(IllegalArgumentException.class, () -> new Measurement("co2", "furlongs", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Measurement("_co2", "ppm", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Measurement("co2", "ppm", 1, 256));
        assertEquals("OUT_OF_RANGE|LOOP_FAULT", QcFlags.describe(QcFlags.OUT_OF_RANGE | QcFlags.LOOP_FAULT));
    }

    @Test
    void stuckDetectorCountsRepeatsPerChannel() {
        StuckDetector d = new StuckDetector(3);
        assertEquals(0, d.check("a", 5));
        assertEquals(0, d.check("b", 5));
        assertEquals(0, d.check("a", 5));
        assertEquals(QcFlags.STUCK_VALUE, d.check("a", 5));
        assertEquals(0, d.check("a", 6));
        assertThrows(IllegalArgumentException.class, () -> new StuckDetector(1));
    }
}
