package org.fieldgate.acquire.gpio;

import com.pi4j.context.Context;
import com.pi4j.exception.Pi4JException;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfig;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayOutputTest {
    private final VirtualClock clock = new VirtualClock();
    private final Context pi4j = MockGpio.context();

    @AfterEach
    void close() {
        pi4j.shutdown();
    }

    private static RelayOutput.Config config(boolean activeLow) {
        return new RelayOutput.Config(22, activeLow, Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    @Test
    void activeLowBoardStartsReleasedAndClosesTheLidByDrivingLow() throws ProbeException {
        DigitalOutput line = RelayOutput.open(pi4j, config(true), MockDigitalOutputProvider.ID);
        assertEquals(DigitalState.HIGH, line.state()); // initial level: released
        RelayOutput lid = new RelayOutput(line, config(true), clock);
        assertFalse(lid.lidClosed());
        assertEquals(new Measurement("state", "/", 0, 0), lid.sample().get(0));

        assertEquals(LidControl.Outcome.SWITCHED, lid.closeLid());
        assertEquals(DigitalState.LOW, line.state());
        assertTrue(lid.lidClosed());
        assertFalse(lid.settled());
        assertEquals(new Measurement("state", "/", 1, QcFlags.WARMING_UP), lid.sample().get(0)); // travelling
        clock.advance(Duration.ofSeconds(5));
        assertTrue(lid.settled());
        assertEquals(new Measurement("state", "/", 1, 0), lid.sample().get(0));
        assertEquals(LidControl.Outcome.UNCHANGED, lid.closeLid());
    }

    @Test
    void activeHighBoardDrivesHigh() throws ProbeException {
        DigitalOutput line = RelayOutput.open(pi4j, config(false), MockDigitalOutputProvider.ID);
        RelayOutput lid = new RelayOutput(line, config(false), clock);
        assertEquals(DigitalState.LOW, line.state());
        lid.closeLid();
        assertEquals(DigitalState.HIGH, line.state());
        lid.close(); // releases the relay: lid open
        assertEquals(DigitalState.LOW, line.state());
    }

    @Test
    void refusesToToggleFasterThanTheMinimumDwell() throws ProbeException {
        DigitalOutput line = RelayOutput.open(pi4j, config(true), MockDigitalOutputProvider.ID);
        RelayOutput lid = new RelayOutput(line, config(true), clock);
        assertEquals(LidControl.Outcome.SWITCHED, lid.closeLid());
        clock.advance(Duration.ofSeconds(9));
        assertEquals(LidControl.Outcome.TOO_SOON, lid.openLid());
        assertTrue(lid.lidClosed()); // nothing moved
        assertEquals(1, lid.refusals());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(LidControl.Outcome.SWITCHED, lid.openLid());
        assertFalse(lid.lidClosed());
        assertEquals(2, lid.switches());
    }

    @Test
    void aLineThatDoesNotTakeTheLevelIsAProbeException() throws ProbeException {
        DigitalOutputConfig c = DigitalOutput.newConfigBuilder(pi4j).id("stuck-22").address(22).build();
        MockDigitalOutput stuck = new MockDigitalOutput(pi4j.dout(), c) {
            private boolean broken;

            @Override
            public DigitalOutput state(DigitalState state) {
                if (broken) {
                    return this; // a pin claimed by another process, a dead driver transistor
                }
                return super.state(state);
            }

            @Override
            public DigitalState state() {
                broken = true; // works for the start-up release, then stops taking levels
                return super.state();
            }
        };
        RelayOutput lid = new RelayOutput(stuck, config(true), clock);
        ProbeException e = assertThrows(ProbeException.class, lid::closeLid);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().startsWith("GPIO-RELAY at gpio-22: BAD_RESPONSE: line reads HIGH after driving LOW"),
                e.getMessage());
        assertEquals(1, lid.counters().failures());
    }

    @Test
    void aLineThatFailsToWriteIsANack() throws ProbeException {
        DigitalOutputConfig c = DigitalOutput.newConfigBuilder(pi4j).id("fail-22").address(22).build();
        boolean[] fail = {false};
        MockDigitalOutput failing = new MockDigitalOutput(pi4j.dout(), c) {
            @Override
            public DigitalOutput state(DigitalState state) {
                if (fail[0]) {
                    throw new Pi4JException("GPIO line 22: Device or resource busy");
                }
                return super.state(state);
            }
        };
        RelayOutput lid = new RelayOutput(failing, config(true), clock);
        fail[0] = true;
        ProbeException e = assertThrows(ProbeException.class, lid::closeLid);
        assertEquals(ProbeException.Cause.NACK, e.failure());
        fail[0] = false;
        assertEquals(LidControl.Outcome.SWITCHED, lid.closeLid()); // recovers: a refused change set no dwell
    }
}
