package org.fieldgate.acquire.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PulseCounterTest {
    private final VirtualClock clock = new VirtualClock();
    private final Context pi4j = MockGpio.context();

    @AfterEach
    void close() {
        pi4j.shutdown();
    }

    private MockDigitalInput open(PulseCounter.Config config) {
        DigitalInput in = PulseCounter.open(pi4j, config, MockDigitalInputProvider.ID);
        MockDigitalInput mock = (MockDigitalInput) in;
        mock.mockState(DigitalState.HIGH); // pulled up, idle
        return mock;
    }

    /** {@code n} open-collector pulses (high-low-high) spread evenly over {@code over}. */
    private void pulses(MockDigitalInput pin, int n, Duration over) {
        Duration step = over.dividedBy(2L * n);
        for (int i = 0; i < n; i++) {
            clock.advance(step);
            pin.mockState(DigitalState.LOW);
            clock.advance(step);
            pin.mockState(DigitalState.HIGH);
        }
    }

    @Test
    void tachometerCountsFallingEdgesToHertzAndRpm() throws ProbeException {
        PulseCounter.Config config = PulseCounter.Config.tachometer(17, 2, 3);
        MockDigitalInput pin = open(config);
        PulseCounter tach = new PulseCounter(pin, config, clock);
        pulses(pin, 80, Duration.ofSeconds(2)); // 40 Hz = 1200 rpm with two pulses per revolution
        List<Measurement> m = tach.sample();
        assertEquals(new Measurement("frequency", "Hz", 40.0, 0), m.get(0));
        assertEquals(new Measurement("speed", "1/min", 1200.0, 0), m.get(1));
        assertEquals("gpio-17", tach.address());
        assertEquals(PullResistance.PULL_UP, pin.pull());
    }

    @Test
    void anemometerScalesToMetresPerSecondAndCountsRisingEdgesWhenAsked() throws ProbeException {
        PulseCounter.Config config = new PulseCounter.Config(27, PulseCounter.Edge.RISING, PullResistance.PULL_UP,
                Duration.ofMillis(1), "wind_speed", "m/s", 1.006, 200, 0);
        MockDigitalInput pin = open(config);
        PulseCounter anemometer = new PulseCounter(pin, config, clock);
        pulses(pin, 10, Duration.ofSeconds(5));
        List<Measurement> m = anemometer.sample();
        assertEquals(2.0, m.get(0).value(), 1e-12);
        assertEquals("wind_speed", m.get(1).channel());
        assertEquals(2.012, m.get(1).value(), 1e-12);
        // calm: no pulses is a valid zero, never flagged when no minimum is expected
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(5));
            assertEquals(new Measurement("frequency", "Hz", 0, 0), anemometer.sample().get(0));
        }
    }

    @Test
    void contactBounceIsIgnored() throws ProbeException {
        PulseCounter.Config config = new PulseCounter.Config(27, PulseCounter.Edge.FALLING, PullResistance.PULL_UP,
                Duration.ofMillis(2), "wind_speed", "m/s", 1.0, 200, 0);
        MockDigitalInput pin = open(config);
        PulseCounter anemometer = new PulseCounter(pin, config, clock);
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofMillis(200));
            for (int bounce = 0; bounce < 3; bounce++) { // a reed switch closing: three falls within 0.6 ms
                pin.mockState(DigitalState.LOW);
                clock.advance(Duration.ofNanos(100_000));
                pin.mockState(DigitalState.HIGH);
                clock.advance(Duration.ofNanos(100_000));
            }
        }
        clock.advance(Duration.ofNanos(200_000_000 - 4 * 600_000)); // 1 s in all
        assertEquals(4.0, anemometer.sample().get(0).value(), 1e-9); // 4 pulses in 1 s
        assertEquals(8, anemometer.bounces());
    }

    @Test
    void aStoppedFanIsFlaggedStuckAfterNIntervalsAndClearsWhenItTurnsAgain() throws ProbeException {
        PulseCounter.Config config = PulseCounter.Config.tachometer(17, 2, 3);
        MockDigitalInput pin = open(config);
        PulseCounter tach = new PulseCounter(pin, config, clock);
        pulses(pin, 20, Duration.ofSeconds(1));
        assertEquals(0, tach.sample().get(0).qc());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, tach.sample().get(0).qc());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, tach.sample().get(0).qc());
        clock.advance(Duration.ofSeconds(1));
        List<Measurement> m = tach.sample();
        assertEquals(QcFlags.STUCK_VALUE, m.get(0).qc());
        assertEquals(QcFlags.STUCK_VALUE, m.get(1).qc());
        assertEquals(0.0, m.get(1).value());
        pulses(pin, 20, Duration.ofSeconds(1));
        assertEquals(0, tach.sample().get(0).qc());
    }

    @Test
    void aFrequencyAboveTheMaximumIsOutOfRange() throws ProbeException {
        PulseCounter.Config config = new PulseCounter.Config(5, PulseCounter.Edge.BOTH, PullResistance.PULL_DOWN,
                Duration.ZERO, "speed", "1/min", 30, 100, 0);
        MockDigitalInput pin = open(config);
        PulseCounter tach = new PulseCounter(pin, config, clock);
        pulses(pin, 60, Duration.ofMillis(500)); // 120 edges in 0.5 s = 240 Hz
        List<Measurement> m = tach.sample();
        assertEquals(240.0, m.get(0).value(), 1e-3); // the half second split into 120 whole-ns steps
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(0).qc());
    }

    @Test
    void samplingTwiceWithoutTimePassingFailsWithoutCrashing() throws ProbeException {
        PulseCounter.Config config = PulseCounter.Config.tachometer(17, 2, 0);
        MockDigitalInput pin = open(config);
        PulseCounter tach = new PulseCounter(pin, config, clock);
        clock.advance(Duration.ofSeconds(1));
        tach.sample();
        assertEquals(ProbeException.Cause.BAD_RESPONSE, assertThrows(ProbeException.class, tach::sample).failure());
        assertEquals(1, tach.counters().failures());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0.0, tach.sample().get(0).value());
        tach.close();
        pulses(pin, 5, Duration.ofSeconds(1)); // no longer listening
        assertEquals(0.0, tach.sample().get(0).value());
    }
}
