package org.fieldgate.acquire;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A simulated LoRaWAN soil node for the demo: a Dragino LSE01-like node (soil moisture, temperature, conductivity)
 * whose uplinks a ChirpStack v4 network server publishes as MQTT integration {@code up} events
 * (format: org/fieldgate/lorawan/UplinkFormats), with the decoded {@code object} the LSE01 codec gives (numbers
 * formatted as strings, as JavaScript's toFixed returns them) and one gateway's {@code rxInfo}.
 */
public final class LorawanSoilNodeSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LorawanSoilNodeSimulator.class);
    private static final double DAY_S = 86_400;

    private final String topic;
    private final String applicationId;
    private final String deviceName;
    private final String devEui;
    private final String profile;
    private final Duration interval;
    private final MqttAsyncClient client;
    private final ObjectMapper json = new ObjectMapper();
    private final Random noise = new Random(7);
    private final ScheduledExecutorService timer;
    private long fCnt;
    private double waterPercent = 27;

    public LorawanSoilNodeSimulator(String brokerUrl, String applicationId, String deviceName, String devEui,
                                    String profile, Duration interval) {
        this.topic = "application/" + applicationId + "/device/" + devEui + "/event/up";
        this.applicationId = applicationId;
        this.deviceName = deviceName;
        this.devEui = devEui;
        this.profile = profile;
        this.interval = interval;
        try {
            this.client = new MqttAsyncClient(brokerUrl, "fieldgate-sim-chirpstack-" + devEui, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException("LoRaWAN simulator cannot use broker " + brokerUrl + ": " + e.getMessage(), e);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lorawan-node-simulator");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 1000, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("simulated LoRaWAN node {} publishing ChirpStack up events every {} ms on {}", deviceName,
                interval.toMillis(), topic);
    }

    private void tick() {
        try {
            if (!client.isConnected()) {
                MqttConnectOptions o = new MqttConnectOptions();
                o.setCleanSession(true);
                client.connect(o).waitForCompletion(5000);
            }
            MqttMessage message = new MqttMessage(event(Instant.now()));
            message.setQos(1);
            client.publish(topic, message);
        } catch (MqttException e) {
            LOG.warn("simulated LoRaWAN node could not publish: {}", e.getMessage());
        } catch (RuntimeException e) {
            // A scheduled task that throws is silently cancelled; log and keep the demo alive.
            LOG.error("simulated LoRaWAN node failed", e);
        }
    }

    /** One ChirpStack v4 up event at {@code now}; fCnt counts up from 0 (left out at 0, as proto3 JSON does). */
    byte[] event(Instant now) {
        double phase = 2 * Math.PI * now.atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay() / DAY_S;
        double tempSoil = 12 + 3 * Math.sin(phase - 3 * Math.PI / 4 - 0.8) + noise.nextGaussian() * 0.05;
        waterPercent = 15 + (waterPercent - 15) * 0.9995 + noise.nextGaussian() * 0.05;
        long conduct = Math.round(180 + 6 * (waterPercent - 15) + noise.nextGaussian() * 3);

        ObjectNode root = json.createObjectNode();
        root.put("deduplicationId", new java.util.UUID(noise.nextLong(), noise.nextLong()).toString());
        root.put("time", now.toString());
        ObjectNode info = root.putObject("deviceInfo");
        info.put("tenantId", "52f14cd4-c6f1-4fbd-8f87-4025e1d49242");
        info.put("tenantName", "ChirpStack");
        info.put("applicationId", applicationId);
        info.put("applicationName", "soil");
        info.put("deviceProfileName", profile);
        info.put("deviceName", deviceName);
        info.put("devEui", devEui);
        root.put("devAddr", "01fc2a7e");
        root.put("dr", 5);
        if (fCnt > 0) {
            root.put("fCnt", fCnt);
        }
        fCnt++;
        root.put("fPort", 2);
        root.put("data", Base64.getEncoder().encodeToString(new byte[] {0x0c, (byte) 0xe4, 0, 0x56}));
        ObjectNode object = root.putObject("object");
        object.put("Bat", 3.3);
        object.put("water_SOIL", String.format(java.util.Locale.ROOT, "%.2f", waterPercent));
        object.put("temp_SOIL", String.format(java.util.Locale.ROOT, "%.2f", tempSoil));
        object.put("conduct_SOIL", conduct);
        ObjectNode rx = root.putArray("rxInfo").addObject();
        rx.put("gatewayId", "0016c001f153a14c");
        rx.put("nsTime", now.toString());
        rx.put("rssi", -90 + (int) Math.round(noise.nextGaussian() * 3));
        rx.put("snr", Math.round((7 + noise.nextGaussian()) * 10) / 10.0);
        rx.put("channel", 2);
        rx.put("crcStatus", "CRC_OK");
        ObjectNode tx = root.putObject("txInfo");
        tx.put("frequency", 868_300_000);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(2000);
            }
            client.close();
        } catch (MqttException e) {
            LOG.debug("LoRaWAN simulator close: {}", e.getMessage());
        }
    }
}
