package org.fieldgate.acquire.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayLidActuatorTest {
    private final VirtualClock clock = new VirtualClock();
    private final Context pi4j = MockGpio.context();

    @AfterEach
    void close() {
        pi4j.shutdown();
    }

    @Test
    void drivesTheChambersRelayAndTreatsARefusalAsAFailure() throws ProbeException {
        RelayOutput.Config config = new RelayOutput.Config(22, true, Duration.ofSeconds(10), Duration.ofSeconds(5));
        DigitalOutput line = RelayOutput.open(pi4j, config, MockDigitalOutputProvider.ID);
        RelayLidActuator lids = new RelayLidActuator(Map.of("c1", new RelayOutput(line, config, clock)));
        lids.close("c1");
        assertEquals(DigitalState.LOW, line.state());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lids.open("c1"));
        assertTrue(e.getMessage().contains("minimum dwell"), e.getMessage());
        clock.advance(Duration.ofSeconds(10));
        lids.open("c1");
        assertEquals(DigitalState.HIGH, line.state());
        assertThrows(IllegalArgumentException.class, () -> lids.close("c9"));
    }
}
