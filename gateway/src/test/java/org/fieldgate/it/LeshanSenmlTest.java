package org.fieldgate.it;

import org.eclipse.leshan.senml.SenMLEncoder;
import org.eclipse.leshan.senml.SenMLPack;
import org.eclipse.leshan.senml.SenMLRecord;
import org.eclipse.leshan.senml.cbor.jackson.SenMLCborJacksonEncoderDecoder;
import org.eclipse.leshan.senml.json.jackson.SenMLJsonJacksonEncoderDecoder;
import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.ExampleSites;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.GatewayStatus;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.LandedReadings;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SenML packs as LwM2M nodes send them, encoded by Eclipse Leshan's own SenML encoders (JSON and CBOR): object paths
 * as names ({@code bn "/3303/0/"}, {@code n "5700"}), whole-second times and no units. They travel through real
 * Mosquitto to the real gateway, whose site file ({@code firmware-config/sites/lwm2m-nodes-example.yaml}) declares the
 * nodes' channel units under {@code remote-nodes}; every declared reading must land in InfluxDB exactly, and every
 * record of an undeclared channel must become one dead letter that says how to declare it. A few hand-written packs
 * add what Leshan's encoder cannot write: sums ({@code s}, {@code bs}), {@code bver} 11 and a record named by
 * {@code bn} alone.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class LeshanSenmlTest {
    private static final String SITE = "lwm2m-nodes-example";
    private static final String DB = "fieldgate_leshan";
    private static final int PACKS_PER_FORMAT = 50;
    /** Channels of the example site file: node -> LwM2M object instance paths (resource 5700) and their units. */
    private static final String[][] NODE_1 = {{"/3303/0/", "Cel"}, {"/3304/0/", "%RH"}, {"/3315/0/", "hPa"}};
    private static final String[][] NODE_2 = {{"/3303/0/", "Cel"}, {"/3303/1/", "Cel"}};

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void leshanPacksWithoutUnitsLandWhereTheSiteFileDeclaresTheUnitsAndAreDeadLetteredWhereNot() throws Exception {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        Path siteFile = ExampleSites.REPO.resolve("firmware-config/sites/" + SITE + ".yaml");
        GatewayProcess gateway = cleanup.add(GatewayProcess.builder().site(SITE).mqttUrl(broker.url())
                .influxUrl(influx.url()).database(DB).clientId("it-gw-leshan")
                .property("fieldgate.site-config", siteFile.toString())
                .property("fieldgate.acquire.mode", "off").start());
        Supplier<String> diagnostics = Site.diagnostics(gateway, broker, influx);

        long base = SenmlPacks.anHourAgo();
        List<Pack> traffic = new ArrayList<>();
        Map<Reading.Key, Reading> mustLand = new HashMap<>();
        int json = leshanPacks(traffic, mustLand, new SenMLJsonJacksonEncoderDecoder(), "leshan-node-1", NODE_1, base, 1);
        int cbor = leshanPacks(traffic, mustLand, new SenMLCborJacksonEncoderDecoder(), "leshan-node-2", NODE_2, base, 2);
        for (int i = 0; i < traffic.size(); i++) {
            if (traffic.get(i).label().startsWith("cbor")) {
                int first = traffic.get(i).payload()[0] & 0xff;
                assertTrue(first >= 0x80 && first <= 0x9f, "Leshan's CBOR pack opens with a CBOR array, not 0x"
                        + Integer.toHexString(first));
            }
        }
        // records of a channel no site file declares, again from Leshan: each one dead-lettered with the hint
        int undeclared = 0;
        SenMLEncoder jsonEncoder = new SenMLJsonJacksonEncoderDecoder();
        for (int p = 0; p < 10; p++) {
            SenMLRecord declared = record("/3303/0/", base + 7200 + p, 20.25 + p);
            SenMLRecord stray = record("/3303/7/", base + 7200 + p, 30.5 + p);
            byte[] payload = jsonEncoder.toSenML(new SenMLPack(List.of(declared, stray)));
            Reading landing = new Reading("leshan-node-1", "3303/0/5700", "Cel", (base + 7200 + p) * 1_000_000_000L, 20.25 + p);
            mustLand.put(landing.key(), landing);
            traffic.add(new Pack(SenmlPacks.topic(SITE, "leshan-node-1"), payload, List.of(landing), "undeclared " + p));
            undeclared++;
        }
        // what Leshan does not write: a sum with a base sum, bver 11, a record named by its bn alone
        long t = base + 9000;
        long tNs = t * 1_000_000_000L;
        traffic.add(Pack.of(SenmlPacks.topic(SITE, "meter-1"), "[{\"bn\":\"meter-1/\",\"bt\":" + t
                + ",\"bs\":3600000,\"n\":\"power\",\"u\":\"W\",\"v\":812.5,\"s\":2925000},{\"n\":\"rain\",\"u\":\"m/s\","
                + "\"s\":0.0015,\"t\":1}]", List.of(), "sums"));
        for (Reading r : List.of(new Reading("meter-1", "power", "W", tNs, 812.5),
                new Reading("meter-1", "power:sum", "J", tNs, 6525000),
                new Reading("meter-1", "rain:sum", "m", tNs + 1_000_000_000L, 3600000.0015))) {
            mustLand.put(r.key(), r);
        }
        traffic.add(Pack.of(SenmlPacks.topic(SITE, "meter-1"), "[{\"bver\":11,\"bn\":\"meter-1/\",\"bt\":" + t
                + ",\"n\":\"power\",\"u\":\"W\",\"v\":1}]", List.of(), "bver 11"));
        traffic.add(Pack.of(SenmlPacks.topic(SITE, "meter-1"), "[{\"bn\":\"meter-1/voltage\",\"bt\":" + (t + 2)
                + ",\"u\":\"V\",\"v\":229.75}]", List.of(), "bn alone"));
        Reading voltage = new Reading("meter-1", "voltage", "V", tNs + 2_000_000_000L, 229.75);
        mustLand.put(voltage.key(), voltage);

        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-leshan-nodes").connect()) {
            traffic.forEach(publisher::publish);
            publisher.flush(Duration.ofSeconds(60));
            assertEquals(traffic.size(), publisher.acknowledgedPackCount(), "packs acknowledged; events " + publisher.events());
            assertEquals(0, publisher.failedAttempts(), "failed deliveries");
        }

        LandedReadings.awaitAtLeast(influx, DB, mustLand.size(), Duration.ofSeconds(90), diagnostics);
        int expectedDeadLetters = undeclared + 1;
        GatewayStatus status = Poll.value("the gateway to count " + expectedDeadLetters + " dead letters",
                Duration.ofSeconds(30), gateway::status, s -> s.deadLetters() >= expectedDeadLetters, diagnostics);
        var landed = LandedReadings.fetch(influx, DB);
        long jsonLanded = landed.values().stream().filter(l -> l.device().equals("leshan-node-1")).count() - undeclared;
        long cborLanded = landed.values().stream().filter(l -> l.device().equals("leshan-node-2")).count();
        System.out.println("LESHAN json: sent=" + json + " landed=" + jsonLanded + "; cbor: sent=" + cbor + " landed="
                + cborLanded + "; undeclared records=" + undeclared + " dead letters=" + status.deadLetters()
                + "; all expected=" + mustLand.size() + " landed=" + landed.size());
        LandedReadings.assertExactly(SITE, mustLand, landed);
        assertEquals(expectedDeadLetters, status.deadLetters(), "dead letters: " + status);

        List<String> reasons = gateway.deadLetters(100).stream().map(d -> String.valueOf(d.get("reason"))).toList();
        assertEquals(undeclared, reasons.stream().filter(r -> r.equals("record 1: missing field 'u' (and no 'bu'): channel "
                + "'3303/7/5700' needs a unit; send 'u', or declare it in the site file of site '" + SITE
                + "' under remote-nodes: id leshan-node-1, channels: 3303/7/5700: unit")).count(), "reasons: " + reasons);
        assertEquals(1, reasons.stream().filter(r -> r.startsWith("record 0: bver = 11: fieldgate reads SenML up to "
                + "version 10")).count(), "reasons: " + reasons);
    }

    /**
     * {@value #PACKS_PER_FORMAT} packs of one node, each record of each channel at one whole second, encoded by
     * {@code encoder}; returns the number of readings.
     */
    private static int leshanPacks(List<Pack> traffic, Map<Reading.Key, Reading> mustLand, SenMLEncoder encoder,
                                   String node, String[][] channels, long base, long seed) throws Exception {
        Random random = new Random(seed);
        String label = encoder instanceof SenMLCborJacksonEncoderDecoder ? "cbor " : "json ";
        int readings = 0;
        for (int p = 0; p < PACKS_PER_FORMAT; p++) {
            List<SenMLRecord> records = new ArrayList<>();
            List<Reading> expected = new ArrayList<>();
            long second = base + 2L * p;
            for (String[] channel : channels) {
                double value = -20 + random.nextDouble() * 1000;
                records.add(record(channel[0], second, value));
                expected.add(new Reading(node, channel[0].substring(1) + "5700", channel[1], second * 1_000_000_000L, value));
            }
            traffic.add(new Pack(SenmlPacks.topic(SITE, node), encoder.toSenML(new SenMLPack(records)), expected, label + p));
            expected.forEach(r -> mustLand.put(r.key(), r));
            readings += expected.size();
        }
        return readings;
    }

    /** A record as Leshan lays out an LwM2M resource: base name the object instance path, name the resource id. */
    private static SenMLRecord record(String instancePath, long epochSecond, double value) {
        SenMLRecord r = new SenMLRecord();
        r.setBaseName(instancePath);
        r.setBaseTime(epochSecond);
        r.setName("5700");
        r.setFloatValue(value);
        return r;
    }
}
