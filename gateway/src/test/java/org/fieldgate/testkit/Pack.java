package org.fieldgate.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One MQTT message: topic, payload bytes, and the readings that must land in InfluxDB if the broker acknowledged it
 * (empty for a message that is wholly malformed). {@code label} says what kind of message it is, for failure messages.
 */
public record Pack(String topic, byte[] payload, List<Reading> readings, String label) {

    public Pack {
        readings = List.copyOf(readings);
    }

    public static Pack of(String topic, String json, List<Reading> readings, String label) {
        return new Pack(topic, json.getBytes(StandardCharsets.UTF_8), readings, label);
    }

    @Override
    public String toString() {
        String text = new String(payload, StandardCharsets.UTF_8);
        return label + " on " + topic + " (" + payload.length + " bytes, " + readings.size() + " readings): "
                + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
    }
}
