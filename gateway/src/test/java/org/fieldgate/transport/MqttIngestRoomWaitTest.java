package org.fieldgate.transport;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How long the MQTT callback may wait for room in ingest: inside the keep-alive and the receive guard's silence. */
class MqttIngestRoomWaitTest {
    @Test
    void aQuarterOfTheKeepAliveAtMostFiveSeconds() {
        assertEquals(Duration.ofMillis(500), MqttIngest.roomWait(Duration.ofSeconds(2)));
        assertEquals(Duration.ofMillis(750), MqttIngest.roomWait(Duration.ofSeconds(3)));
        assertEquals(Duration.ofSeconds(5), MqttIngest.roomWait(Duration.ofSeconds(20)));
        assertEquals(Duration.ofSeconds(5), MqttIngest.roomWait(Duration.ofSeconds(30)));
        assertEquals(Duration.ofSeconds(5), MqttIngest.roomWait(Duration.ofMinutes(10)));
        assertTrue(MqttIngest.MAX_ROOM_WAIT.toNanos() * 2 < MqttIngest.RECEIVE_SILENCE_NS,
                "the receive guard must not take a wait for room for a dead receive thread");
    }
}
