package org.fieldgate.acquire.li7810;

import java.nio.charset.StandardCharsets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The publishing side of an LI-7810 for tests: a client of a real mosquitto (the broker the instrument runs) that
 * publishes on the topics of the manual's table 7-1 exactly the bytes it is given. The payloads are written by the
 * tests in the spelling {@link Li7810Stream} documents (the data file's DATAH/DATAU/DATA lines, or JSON).
 */
final class Li7810Fake implements AutoCloseable {
    /** The header of an LI-7810: the data file's columns and units (a subset, plus two columns the driver ignores). */
    static final String HEADER = "DATAH\tSECONDS\tNANOSECONDS\tNDX\tDIAG\tREMARK\tDATE\tTIME\tH2O\tCO2\tCH4"
            + "\tCAVITY_P\tCAVITY_T\tRING_DOWN_TIME\n"
            + "DATAU\tsecs\tnsecs\tindex\tdiag\tremark\tdate\ttime\tppm\tppm\tppb\tkPa\tC\tus\n";

    private final MqttClient client;

    Li7810Fake(String brokerUrl) throws MqttException {
        client = new MqttClient(brokerUrl, "li7810-fake-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        // Paho 1.2.5 marks a QoS 1 publish complete on its receive thread before its callback thread lowers the in-flight
        // count (ClientState.notifyReceivedAck, then notifyComplete), so a
        // fast loop of them on a loaded box hits "Too many publishes in progress (32202)" at the default of 10
        o.setMaxInflight(1000);
        client.connect(o);
    }

    /** One DATA line of {@link #HEADER}'s columns. */
    static String data(long seconds, long nanos, long diag, String h2o, String co2, String ch4, String cavityP,
                       String cavityT) {
        return "DATA\t" + seconds + "\t" + nanos + "\t" + seconds % 100000 + "\t" + diag + "\t\t2026-12-06\t02:40:00\t"
                + h2o + "\t" + co2 + "\t" + ch4 + "\t" + cavityP + "\t" + cavityT + "\t17.632\n";
    }

    void publish(String topic, String payload, boolean retained) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), retained);
    }

    void publish(String topic, byte[] payload, boolean retained) throws MqttException {
        client.publish(topic, payload, 1, retained);
    }

    void header(String payload) throws MqttException {
        publish(Li7810Stream.UNITS_TOPIC, payload, true);
    }

    void record(String payload) throws MqttException {
        publish(Li7810Stream.DATA_TOPIC, payload, false);
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
