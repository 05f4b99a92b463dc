package org.fieldgate.acquire.ads1115;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.FakeBus;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.ads1115.Ads1115.Channel;
import org.fieldgate.acquire.ads1115.Ads1115.Input;
import org.fieldgate.acquire.ads1115.Ads1115.Range;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ads1115Test {
    private final VirtualClock clock = new VirtualClock();
    private final Ads1115Fake chip = new Ads1115Fake(clock);
    private final FakeBus bus = new FakeBus().attach(0x48, chip);

    // a capacitive probe reads lower voltage when wetter: VWC = 0.9 - 0.3 V
    private static final Channel MOISTURE = Channel.moisture("vwc_10cm", Input.AIN0, Range.FSR_4_096,
            List.of(0.9, -0.3), 0.0, 0.6);
    // 0-100 kPa transmitter, 250 ohm shunt: 20 mA = 5 V, so the +-6.144 V range
    private static final Channel LOOP = Channel.currentLoop("press", Input.AIN1, Range.FSR_6_144, 250, 0, 100,
            "kPa");
    private static final Channel VOLTS = Channel.voltage("vbat", Input.AIN2_AIN3, Range.FSR_2_048);

    @AfterEach
    void close() {
        bus.close();
    }

    private Ads1115 driver(int stuckRepeats, Channel... channels) {
        return new Ads1115(bus.open(0x48), List.of(channels), stuckRepeats, clock);
    }

    @Test
    void convertsEachChannelAsConfigured() throws ProbeException {
        chip.ainVolts[0] = 1.5;   // +-4.096 V: LSB 125 uV, code 12000 (0x2EE0) -> 1.5 V -> 0.9 - 0.45 = 0.45
        chip.ainVolts[1] = 3.0;   // +-6.144 V: LSB 187.5 uV, code 16000 (0x3E80) -> 3.0 V / 250 ohm = 12 mA = 50 kPa
        chip.ainVolts[2] = 1.25;  // AIN2 - AIN3 = 1.25 - 0.5 = 0.75 V at +-2.048: code 12000
        chip.ainVolts[3] = 0.5;
        List<Measurement> m = driver(0, MOISTURE, LOOP, VOLTS).sample();
        assertEquals(new Measurement("vwc_10cm", "m3/m3", 0.9 - 0.3 * 1.5, 0), m.get(0));
        assertEquals(new Measurement("press", "kPa", 50.0, 0), m.get(1));
        assertEquals(new Measurement("press_loop", "mA", 12.0, 0), m.get(2));
        assertEquals(new Measurement("vbat", "V", 0.75, 0), m.get(3));
        assertEquals(3, chip.conversions);
        // config words on the wire: OS | MUX | PGA | single-shot | 128 SPS | comparator off
        // AIN0 +-4.096: 1 100 001 1 100 0 0 0 11 = 0xC383; AIN1 +-6.144: 1 101 000 1 100 00011 = 0xD183;
        // AIN2-AIN3 +-2.048: 1 011 010 1 100 00011 = 0xB583
        List<String> tx = chip.transactions();
        assertTrue(tx.contains("W 01c383") && tx.contains("W 01d183") && tx.contains("W 01b583"), tx.toString());
        assertTrue(tx.contains("R 2ee0") && tx.contains("R 3e80"), tx.toString());
    }

    @Test
    void negativeDifferentialInputsAreTwosComplement() throws ProbeException {
        chip.ainVolts[2] = 0.25;
        chip.ainVolts[3] = 1.0; // -0.75 V: code -12000 = 0xD120
        List<Measurement> m = driver(0, VOLTS).sample();
        assertEquals(-0.75, m.get(0).value());
        assertTrue(chip.transactions().contains("R d120"));
    }

    @Test
    void waitsForTheConversionAtTheSlowestRate() throws ProbeException {
        Channel slow = new Channel("v", Input.AIN0, Range.FSR_4_096, 8, Ads1115.Kind.VOLTAGE, List.of(), 0, 0, 0, 0,
                0, "V");
        chip.ainVolts[0] = 1.0;
        long before = clock.nanoTime();
        assertEquals(1.0, driver(0, slow).sample().get(0).value());
        assertTrue(clock.nanoTime() - before >= 125_000_000L, "8 SPS takes 125 ms");
    }

    @Test
    void flagsLoopCurrentsOutsideNamurNe43() throws ProbeException {
        Ads1115 ads = driver(0, LOOP);
        chip.ainVolts[1] = 0.00370 * 250; // 3.7 mA: below 3.8 mA, above the 3.6 mA failure level
        Measurement under = ads.sample().get(1);
        assertEquals(3.7, under.value(), 0.001);
        assertEquals(QcFlags.OUT_OF_RANGE, under.qc());
        chip.ainVolts[1] = 0.0035 * 250; // 3.5 mA: a broken loop or failed transmitter
        assertEquals(QcFlags.OUT_OF_RANGE | QcFlags.LOOP_FAULT, ads.sample().get(1).qc());
        chip.ainVolts[1] = 0.0206 * 250; // 20.6 mA: above 20.5 mA, not yet the 21 mA failure level
        assertEquals(QcFlags.OUT_OF_RANGE, ads.sample().get(0).qc());
        chip.ainVolts[1] = 0.0220 * 250; // 22 mA
        List<Measurement> m = ads.sample();
        assertEquals(QcFlags.OUT_OF_RANGE | QcFlags.LOOP_FAULT, m.get(0).qc());
        assertEquals(112.5, m.get(0).value(), 0.01); // kept, flagged: (22 - 4) / 16 * 100
        chip.ainVolts[1] = 0.0200 * 250;
        assertEquals(0, ads.sample().get(0).qc()); // 20 mA is fine
    }

    @Test
    void flagsMoistureOutsideItsValidRangeAndSaturatedInputs() throws ProbeException {
        Ads1115 ads = driver(0, MOISTURE);
        chip.ainVolts[0] = 3.2; // VWC = -0.06: probe out of soil or calibration off
        Measurement m = ads.sample().get(0);
        assertEquals(-0.06, m.value(), 1e-6);
        assertEquals(QcFlags.OUT_OF_RANGE, m.qc());
        chip.ainVolts[0] = 4.5; // beyond +-4.096 V: code 0x7FFF
        assertTrue(ads.sample().get(0).has(QcFlags.OUT_OF_RANGE));
        assertTrue(chip.transactions().contains("R 7fff"));
    }

    @Test
    void flagsAFrozenConverter() throws ProbeException {
        Ads1115 ads = driver(3, VOLTS);
        chip.frozenCode = 4321;
        assertEquals(0, ads.sample().get(0).qc());
        assertEquals(0, ads.sample().get(0).qc());
        assertEquals(QcFlags.STUCK_VALUE, ads.sample().get(0).qc());
    }

    @Test
    void aConfigThatDidNotStickIsCaughtByTheReadBack() throws ProbeException {
        Ads1115 ads = driver(0, VOLTS);
        ads.sample();
        chip.ignoreWrites = true;
        chip.reconnectAfterPowerCycle(); // back to the reset config 0x8583, and deaf to writes
        ProbeException e = assertThrows(ProbeException.class, ads::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("config reads 0x8583 after writing 0xb583"), e.getMessage());
        chip.ignoreWrites = false;
        assertEquals(QcFlags.REINITIALISED, ads.sample().get(0).qc());
    }

    @Test
    void aChipThatStopsAnsweringFailsAndIsReinitialisedWhenItReturns() throws ProbeException {
        Ads1115 ads = driver(0, VOLTS);
        chip.ainVolts[2] = 1.0;
        ads.sample();
        chip.disconnect();
        assertEquals(ProbeException.Cause.NACK, assertThrows(ProbeException.class, ads::sample).failure());
        assertEquals(1, ads.counters().failures());
        chip.reconnectAfterPowerCycle();
        Measurement m = ads.sample().get(0);
        assertEquals(1.0, m.value());
        assertEquals(QcFlags.REINITIALISED, m.qc());
        assertEquals(2, ads.counters().reinits());
    }

    @Test
    void aStalledBusIsATimeout() {
        chip.stallBus(true);
        assertEquals(ProbeException.Cause.TIMEOUT,
                assertThrows(ProbeException.class, driver(0, VOLTS)::sample).failure());
    }

    @Test
    void refusesAnImpossibleDataRate() {
        assertThrows(IllegalArgumentException.class, () -> new Channel("v", Input.AIN0, Range.FSR_4_096, 100,
                Ads1115.Kind.VOLTAGE, List.of(), 0, 0, 0, 0, 0, "V"));
    }
}
