package org.fieldgate.acquire;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A simulated soil station for the demo: soil temperature, moisture and soil-air CO2 at 10 and 30 cm,
 * published as SenML over MQTT exactly as a remote node would. The series follow the physics a soil
 * scientist expects: temperature is a damped, lagged diurnal wave (amplitude falls and lag grows with
 * depth); moisture jumps after a rain event and dries down exponentially; soil CO2 rises with
 * temperature (Q10 about 2) and with depth, and drops briefly when rain fills the pores.
 */
public final class SoilProbeSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SoilProbeSimulator.class);
    private static final double DAY_S = 86_400;

    private final String topic;
    private final String device;
    private final Duration interval;
    private final MqttAsyncClient client;
    private final ObjectMapper json = new ObjectMapper();
    private final Random noise = new Random(42);
    private final ScheduledExecutorService timer;
    private double vwc10 = 0.24;
    private double vwc30 = 0.29;
    private double hoursSinceRain = 30;

    public SoilProbeSimulator(String brokerUrl, String site, String device, Duration interval) {
        this.topic = "fieldgate/" + site + "/" + device + "/senml";
        this.device = device;
        this.interval = interval;
        try {
            this.client = new MqttAsyncClient(brokerUrl, "fieldgate-sim-" + site + "-" + device, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException("simulator cannot use broker " + brokerUrl + ": " + e.getMessage(), e);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soil-probe-simulator");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("simulated soil probes publishing every {} ms on {}", interval.toMillis(), topic);
    }

    private void tick() {
        try {
            if (!client.isConnected()) {
                MqttConnectOptions o = new MqttConnectOptions();
                o.setAutomaticReconnect(true);
                o.setCleanSession(true);
                client.connect(o).waitForCompletion(5000);
            }
            Instant now = Instant.now();
            byte[] pack = pack(now);
            MqttMessage message = new MqttMessage(pack);
            message.setQos(1);
            client.publish(topic, message);
        } catch (MqttException e) {
            LOG.warn("simulated probes could not publish: {}", e.getMessage());
        } catch (RuntimeException e) {
            // A scheduled task that throws is silently cancelled; log and keep the demo alive.
            LOG.error("simulated probes failed", e);
        }
    }

    /** One SenML pack of every channel at {@code now}. */
    byte[] pack(Instant now) {
        double secondOfDay = now.atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay();
        double phase = 2 * Math.PI * secondOfDay / DAY_S;
        // Soil temperature: surface wave peaks ~15:00; at depth z amplitude x exp(-z/d), lag z/d rad (d ~ 12 cm).
        double t10 = 14 + 6 * Math.exp(-10 / 12.0) * Math.sin(phase - 3 * Math.PI / 4 - 10 / 12.0) + gauss(0.05);
        double t30 = 14 + 6 * Math.exp(-30 / 12.0) * Math.sin(phase - 3 * Math.PI / 4 - 30 / 12.0) + gauss(0.03);

        double stepH = interval.toMillis() / 3_600_000.0;
        hoursSinceRain += stepH;
        if (noise.nextDouble() < stepH / 36.0) {
            // A shower: the top layer wets first, the deeper one less.
            vwc10 = Math.min(0.42, vwc10 + 0.08 + 0.04 * noise.nextDouble());
            vwc30 = Math.min(0.40, vwc30 + 0.03);
            hoursSinceRain = 0;
        }
        vwc10 = 0.12 + (vwc10 - 0.12) * Math.exp(-stepH / 60.0);
        vwc30 = 0.18 + (vwc30 - 0.18) * Math.exp(-stepH / 140.0);

        double q10 = 2.0;
        double wetPores = hoursSinceRain < 6 ? 0.85 : 1.0;
        double co2At10 = (2400 * Math.pow(q10, (t10 - 14) / 10)) * wetPores + gauss(15);
        double co2At30 = (5200 * Math.pow(q10, (t30 - 14) / 10)) * wetPores + gauss(25);

        ArrayNode records = json.createArrayNode();
        long nowMs = now.toEpochMilli();
        ObjectNode first = records.addObject();
        first.put("bn", device + "/");
        first.put("bt", BigDecimal.valueOf(nowMs, 3));
        add(first, "temp_10cm", "Cel", round(t10, 2));
        add(records.addObject(), "temp_30cm", "Cel", round(t30, 2));
        add(records.addObject(), "vwc_10cm", "m3/m3", round(vwc10 + gauss(0.002), 3));
        add(records.addObject(), "vwc_30cm", "m3/m3", round(vwc30 + gauss(0.002), 3));
        add(records.addObject(), "co2_10cm", "ppm", round(co2At10, 1));
        add(records.addObject(), "co2_30cm", "ppm", round(co2At30, 1));
        return records.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void add(ObjectNode record, String channel, String unit, double value) {
        record.put("n", channel);
        record.put("u", unit);
        record.put("v", value);
    }

    private double gauss(double sd) {
        return noise.nextGaussian() * sd;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(2000);
            }
            client.close(true);
        } catch (MqttException e) {
            LOG.warn("simulator disconnect: {}", e.getMessage());
        }
    }
}
