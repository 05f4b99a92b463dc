package org.fieldgate.acquire.site;

/**
 * Where the acquisition stage hands its SenML packs: the gateway's ingest path, the same decoder, dead-letter
 * handling and spool a remote node's MQTT message goes through, so a local probe and a remote node look alike
 * downstream, and a local reading is durable a few milliseconds after it was taken even while the broker is down.
 */
@FunctionalInterface
public interface PackSink {
    /**
     * One pack on {@code fieldgate/<site>/<device>/senml}. Returns false when it could not be taken (ingest stopped,
     * or its queue stayed full for the caller's patience), so the caller records a gap instead of losing it silently.
     */
    boolean submit(String topic, byte[] senml);
}
