package org.fieldgate.acquire.bme280;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.FakeBus;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Bme280Test {
    private final VirtualClock clock = new VirtualClock();
    private final Bme280Fake chip = new Bme280Fake(clock);
    private final FakeBus bus = new FakeBus().attach(0x76, chip);

    @AfterEach
    void close() {
        bus.close();
    }

    private Bme280 driver(int stuckRepeats) {
        return new Bme280(bus.open(0x76), new Bme280.Config(0x76, Bme280.Oversampling.X1, Bme280.Oversampling.X1,
                Bme280.Oversampling.X1, 0, stuckRepeats), clock);
    }

    @Test
    void compensatesTheWorkedExampleExactly() throws ProbeException {
        // BMP280 datasheet worked example (the BME280 shares its T/P formulas and trimming layout):
        // adc_T = 519888 -> t_fine = 128422 -> T = 2508 -> 25.08 °C.
        // Pressure by hand with the int64 formula of section 4.2.3: adc_P = 415148 -> 25767233 (Q24.8)
        // = 100653.254 Pa (the example's floating-point result is 100653.27 Pa).
        // Humidity by hand with the int32 formula: adc_H = 30000 -> 56317 (Q22.10) = 54.997 %RH
        // (section 8.1 floating point: 55.0007 %RH).
        chip.setRaw(519888, 415148, 30000);
        Bme280 bme = driver(0);
        List<Measurement> m = bme.sample();
        assertEquals(new Measurement("temp", "Cel", 25.08, 0), m.get(0));
        assertEquals(new Measurement("pressure", "Pa", 25767233 / 256.0, 0), m.get(1));
        assertEquals(new Measurement("rh", "%RH", 56317 / 1024.0, 0), m.get(2));
        assertEquals(Bme280Fake.pressureFloat(415148, 128422), m.get(1).value(), 0.05);
        assertEquals(Bme280Fake.humidityFloat(30000, 128422), m.get(2).value(), 0.01);
        assertEquals(1, chip.latchedOsrsH()); // ctrl_hum took effect through the ctrl_meas write after it
        assertEquals(1, chip.measurements);
    }

    @Test
    void writesRegistersAsPairsAndBurstReadsTheData() throws ProbeException {
        Bme280 bme = driver(0);
        bme.sample();
        List<String> tx = chip.transactions();
        assertEquals(List.of("W d0", "R 60", "W e0b6"), tx.subList(0, 3));
        // config (filter off), ctrl_hum x1, ctrl_meas x1/x1 sleep, in one transaction of pairs
        assertTrue(tx.contains("W f500f201f424"), tx.toString());
        assertTrue(tx.contains("W f425"), tx.toString()); // forced mode
        int burst = tx.lastIndexOf("W f7");
        assertEquals(8 * 2 + 2, tx.get(burst + 1).length()); // one 8-byte read, F7-FE
        assertEquals(0x24, chip.register(0xF4)); // back in sleep mode after the measurement
    }

    @Test
    void followsAPhysicalStateThroughTheFloatingPointInverse() throws ProbeException {
        chip.setEnvironment(8.5, 97_250, 91.0);
        List<Measurement> m = driver(0).sample();
        assertEquals(8.5, m.get(0).value(), 0.01);
        assertEquals(97_250, m.get(1).value(), 2.0); // 16-bit resolution at x1: 2.6 Pa steps
        assertEquals(91.0, m.get(2).value(), 0.05);
    }

    @Test
    void refusesAChipThatIsNotABme280() {
        chip.chipId = 0x58; // a BMP280 fitted by mistake
        chip.reconnectAfterPowerCycle();
        ProbeException e = assertThrows(ProbeException.class, driver(0)::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("chip id 0x58"), e.getMessage());
    }

    @Test
    void aBrownOutIsNoticedAndTheChipReinitialised() throws ProbeException {
        Bme280 bme = driver(0);
        bme.sample();
        chip.disconnect();
        assertEquals(ProbeException.Cause.NACK, assertThrows(ProbeException.class, bme::sample).failure());
        chip.reconnectAfterPowerCycle();
        List<Measurement> m = bme.sample();
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertEquals(25.08, m.get(0).value());
        assertEquals(2, bme.counters().reinits());
        assertEquals(1, bme.counters().failures());
    }

    @Test
    void aResetTheBusNeverSawIsCaughtNotReadAsHumidity() throws ProbeException {
        Bme280 bme = driver(0);
        bme.sample();
        chip.reconnectAfterPowerCycle(); // ctrl_hum back to 0: humidity would be skipped and read 0x8000
        ProbeException e = assertThrows(ProbeException.class, bme::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("settings lost"), e.getMessage());
        List<Measurement> m = bme.sample();
        assertEquals(QcFlags.REINITIALISED, m.get(2).qc());
        assertEquals(56317 / 1024.0, m.get(2).value());
    }

    @Test
    void aStalledBusIsATimeout() {
        chip.stallBus(true);
        assertEquals(ProbeException.Cause.TIMEOUT, assertThrows(ProbeException.class, driver(0)::sample).failure());
    }

    @Test
    void flagsStuckAndOutOfRangeValues() throws ProbeException {
        Bme280 bme = driver(2);
        chip.setEnvironment(20, 25_000, 50); // pressure below the 300 hPa specification
        List<Measurement> m = bme.sample();
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(1).qc());
        List<Measurement> again = bme.sample();
        assertEquals(QcFlags.STUCK_VALUE, again.get(0).qc());
        assertEquals(QcFlags.OUT_OF_RANGE | QcFlags.STUCK_VALUE, again.get(1).qc());
    }
}
