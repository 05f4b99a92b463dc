package org.fieldgate.acquire.li7810;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The instrument's MQTT topics as the driver reads them: subscribe, then take the messages as they arrived. The real
 * one is {@link PahoTopicLink} on the analyser's own broker; the demo's is {@link SimulatedLi7810Link}.
 */
public interface TopicLink extends AutoCloseable {

    /** One message as it arrived. */
    record Message(String topic, byte[] payload) {
    }

    /** Where the instrument is, e.g. {@code tcp://192.168.10.1:1883}. */
    String address();

    /** Whether the link is up (connected and subscribed). */
    boolean connected();

    /**
     * Connects (again) and subscribes to {@code topics}, waiting up to {@code timeout}; messages from a connection
     * before are dropped. Throws with the broker's reason when it cannot (refused, unreachable, timed out).
     */
    void connect(List<String> topics, Duration timeout) throws IOException;

    /** The oldest message not taken yet, waiting up to {@code timeout}; null when none came. */
    Message poll(Duration timeout) throws IOException;

    /** Connections lost since the link was made (the broker went away, the network dropped). */
    long connectionsLost();

    /** Messages dropped because the driver did not take them fast enough (the oldest are dropped). */
    long overflows();

    @Override
    void close();
}
