package org.fieldgate.testkit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proves the kit on its own, without the gateway: real mosquitto and influxd start, work, restart and stop. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@StartsProcesses
class TestkitSelfTest {
    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void brokerQueuesForAPersistentSessionAcrossARestart() throws Exception {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        String topic = SenmlPacks.topic("it-site", "probe-1");

        // a gateway-like persistent subscriber: subscribe, then go away
        MqttClient subscriber = new MqttClient(broker.url(), "selftest-sub", new MemoryPersistence());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttConnectOptions persistent = new MqttConnectOptions();
        persistent.setCleanSession(false);
        subscriber.connect(persistent);
        subscriber.subscribe("fieldgate/it-site/+/senml", 1, (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));

        SenmlPacks packs = new SenmlPacks("it-site", "probe", 1, 10, SenmlPacks.anHourAgo(), 1);
        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "selftest-pub").connect()) {
            publisher.publish(packs.pack(0));
            publisher.flush(Duration.ofSeconds(10));
            assertEquals(1, publisher.acknowledgedPackCount());
            assertEquals(10, publisher.acknowledged().size());
            String first = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(first, "subscriber got nothing");
            assertTrue(first.startsWith("[{\"bn\":\"probe-0/\",\"bt\":"), first);

            subscriber.disconnect();
            publisher.publish(packs.pack(1));
            publisher.flush(Duration.ofSeconds(10));

            // SIGTERM writes the queued message to disk; the restart reads it back on the same port
            long oldPid = broker.pid();
            broker.stop();
            assertFalse(broker.isRunning());
            broker.start();
            assertTrue(broker.pid() != oldPid);

            subscriber.connect(persistent);
            String queued = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(queued, "message queued for the persistent session was lost across the broker restart\n" + broker.logTail(30));
            assertEquals(new String(packs.pack(1).payload(), StandardCharsets.UTF_8), queued);

            // the publisher itself reconnects after the restart and keeps exact books
            publisher.publish(packs.pack(2));
            publisher.republishFailed(Duration.ofSeconds(20));
            assertEquals(3, publisher.acknowledgedPackCount(), "events " + publisher.events());
            assertNotNull(received.poll(10, TimeUnit.SECONDS));
        } finally {
            disconnectQuietly(subscriber);
        }
    }

    @Test
    void influxdStoresAndReturnsExactPointsAcrossARestart() {
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        String db = "selftest";
        assertEquals(0, influx.count(db), "count of a database that does not exist yet");
        influx.createDatabase(db);
        assertEquals(0, influx.count(db), "count of an empty database");

        double value = 612.3456789012345;
        long timeNs = (SenmlPacks.anHourAgo() * 1_000_000_000L) + 500_000_000L;
        influx.writeLine(db, "reading,site=it-site,device=probe-1,channel=co2_10cm,unit=ppm value=" + value + ",qc=0i " + timeNs);
        assertEquals(1, influx.count(db));

        influx.stop();
        assertFalse(influx.isRunning());
        influx.start();

        List<Map<String, Object>> rows = influx.query(db, "SELECT value, qc, device, channel FROM reading");
        assertEquals(1, rows.size(), rows.toString());
        assertEquals(timeNs, rows.get(0).get("time"));
        assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits((Double) rows.get(0).get("value")));
        assertEquals(0L, rows.get(0).get("qc"));
        assertEquals("probe-1", rows.get(0).get("device"));

        Map<Reading.Key, LandedReadings.Landed> landed = LandedReadings.fetch(influx, db);
        Reading sent = new Reading("probe-1", "co2_10cm", "ppm", timeNs, value);
        LandedReadings.assertExactly("it-site", Map.of(sent.key(), sent), landed);
    }

    @Test
    void gatewayClasspathLeavesOutTestClasses() {
        String cp = GatewayProcess.childClasspath();
        assertFalse(cp.contains("test-classes"), cp);
        assertTrue(cp.contains("paho"), cp);
    }

    private static void disconnectQuietly(MqttClient client) throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
