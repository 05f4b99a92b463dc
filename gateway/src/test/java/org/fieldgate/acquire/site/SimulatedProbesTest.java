package org.fieldgate.acquire.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.site.ChannelConfig;
import org.fieldgate.site.ModelLoader;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SensorModel;
import org.fieldgate.site.SiteConfig;
import org.junit.jupiter.api.Test;

/** Every sensor model has a simulator with the model's channels and units, in range, and the example sites' roles. */
class SimulatedProbesTest {
    private static final long NOON_NS = 1_779_962_400_000_000_000L; // 2026-05-28 10:00 UTC

    @Test
    void everyModelSimulatesEveryChannelInItsUnitAndRange() throws Exception {
        var models = ModelLoader.loadDir(ExampleSites.CONFIG.resolve("models"));
        assertEquals(List.of(), models.errors());
        List<ProbeConfig> probes = new ArrayList<>();
        for (SensorModel m : models.models().values()) {
            List<ChannelConfig> channels = new ArrayList<>();
            for (SensorModel.Channel c : m.channels()) {
                channels.add(new ChannelConfig(c, c.name(), c.unit(), List.of()));
            }
            probes.add(new ProbeConfig("sim-" + m.id(), m, null, null, null, 1.0, null, channels, 1, Map.of()));
        }
        SiteConfig site = new SiteConfig("sim-site", "all models", 36, 140, null, ZoneId.of("Asia/Tokyo"), Map.of(),
                probes, Map.of(), null, null, "synthetic");
        long[] t = {NOON_NS};
        // the clock moves 250 ms at each reading of it: a streaming analyser (LI-8x0) writes its records as time
        // passes, and the driver waits for one after its start command
        SimulatedProbes factory = new SimulatedProbes(7, () -> t[0] += 250_000_000L);
        assertEquals(17, probes.size()); // 14 + the LI-7810, LI-7815 and LI-7820
        for (ProbeConfig p : probes) {
            t[0] = NOON_NS;
            Probe probe = factory.create(site, p);
            for (int i = 0; i < 24; i++) {
                t[0] = NOON_NS + i * 3_600_000_000_000L;
                List<Measurement> m = probe.sample();
                assertEquals(p.model().channels().stream().map(SensorModel.Channel::name).toList(),
                        m.stream().map(Measurement::channel).toList(), p.id());
                for (Measurement x : m) {
                    SensorModel.Channel c = p.model().channel(x.channel());
                    assertEquals(c.unit(), x.unit(), p.id() + " " + x.channel());
                    assertTrue(c.inRange(x.value()) && x.qc() == 0, p.id() + " " + x + " outside " + c.min() + ".."
                            + c.max());
                }
            }
        }
    }

    @Test
    void theHouseOutletIsBelowItsInletAndSoilCo2RisesWithDepth() throws Exception {
        SiteConfig house = ExampleSites.house();
        SiteConfig soil = ExampleSites.soil();
        SimulatedProbes factory = new SimulatedProbes(7, () -> NOON_NS);
        double in = factory.create(house, house.probe("co2-inlet")).sample().get(0).value();
        double out = factory.create(house, house.probe("co2-outlet")).sample().get(0).value();
        assertTrue(out < in - 5 && out > in - 60, "uptake drawdown " + (in - out) + " ppm");
        double at10 = factory.create(soil, soil.probe("soil-co2-10cm")).sample().get(0).value();
        double at30 = factory.create(soil, soil.probe("soil-co2-30cm")).sample().get(0).value();
        assertTrue(at30 > at10 && at10 > 1000, at10 + " ppm at 10 cm, " + at30 + " at 30 cm");
    }
}
