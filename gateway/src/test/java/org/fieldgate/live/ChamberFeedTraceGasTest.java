package org.fieldgate.live;

import static org.fieldgate.live.LiveFeedsTest.field;
import static org.fieldgate.live.LiveFeedsTest.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.fieldgate.acquire.chamber.SimulatedChamberAnalyser;
import org.fieldgate.acquire.chamber.VirtualScheduler;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.calc.flux.Gas;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.PointLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace gas on a second analyser, wet and in ppm: the soil example's LI-850 gives CO2 and H2O, a CH4 analyser on the
 * RS-485 bus (a test model: channel {@code ch4}, ppm, wet, +-3 % of reading) is the site file's analyser.ch4. The
 * feed converts ppm to ppb, corrects each sample with its H2O, and fits CH4 over each closure's window: the closed-form
 * curve (CH4 rising 0.5 ppb per ppm CO2) comes back as half the CO2 flux in nmol m-2 s-1 to 0.5 %. Three CH4 readings
 * missing in chamber-2's window are left out of its CH4 fit only (MISSING_SAMPLES); the CH4 analyser going quiet
 * before chamber-4 gives that closure a CH4 point without a flux (NO_SAMPLES), and the CO2 points and closures are
 * byte for byte those of the same readings on a site without analyser.ch4.
 */
class ChamberFeedTraceGasTest {
    static final Path CONFIG = LiveFeedsTest.CONFIG;
    static final long T0 = LiveFeedsTest.T0;
    static final long S = LiveFeedsTest.S;
    static final double CH4_PER_CO2 = 0.5;
    static final double REL = 0.005;
    /** Chamber-2's slot starts at 220 s; its observation window is 250-370 s. */
    static final List<Long> CH4_MISSING_S = List.of(280L, 282L, 284L);
    /** Chamber-4's slot starts at 660 s: no CH4 reading from then on. */
    static final long CH4_QUIET_FROM_S = 650;

    @TempDir
    Path dir;

    @Test
    void aWetCh4InPpmOnAnotherAnalyserGivesItsFluxPerClosureAndLeavesTheCo2PointsAsTheyWere() throws IOException {
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        try (Stream<Path> files = Files.list(CONFIG.resolve("models"))) {
            for (Path f : files.toList()) {
                Files.copy(f, models.resolve(f.getFileName()));
            }
        }
        Files.writeString(models.resolve("ch4-test.yaml"), """
                kind: sensor-model
                id: ch4-test
                name: CH4 analyser for tests (wet, ppm)
                manufacturer: none
                interface: modbus-rtu
                datasheet: "none: a test model"
                warmup-s: 0
                min-interval-s: 1
                defaults: {address: 200, baud: 19200, parity: none, data-bits: 8, stop-bits: 2, word-order: lsw-first}
                registers:
                  ch4-float: {address: 0x0000, type: float32, function: holding, description: "CH4, ppm, wet"}
                channels:
                  - name: ch4
                    unit: ppm
                    source: ch4-float
                    range: {min: 0, max: 1000}
                    accuracy: {of-reading-pct: 3, source: "test"}
                """);
        String text = Files.readString(CONFIG.resolve("sites/soil-plot-example.yaml"));
        String before = "  - id: soil-co2-10cm\n";
        String co2 = "  co2: {probe: analyser, channel: co2}\n";
        assertTrue(text.contains(before) && text.contains(co2), "the soil example changed");
        String withProbe = text.replace(before, "  - id: gas\n    model: ch4-test\n    bus: rs485-1\n    address: 200\n"
                + "    interval-s: 2\n" + before);
        Path withCh4 = dir.resolve("with-ch4.yaml");
        Files.writeString(withCh4, withProbe.replace(co2, co2 + "  ch4: {probe: gas, channel: ch4}\n"));
        Path co2Only = dir.resolve("co2-only.yaml");
        Files.writeString(co2Only, withProbe);

        Run gas = run(SiteConfigs.loadOrThrow(withCh4, models));
        Run plain = run(SiteConfigs.loadOrThrow(co2Only, models));

        // the CO2 side does not see the CH4 channel: closures and flux points byte for byte
        assertEquals(lines(plain.out, "closure"), lines(gas.out, "closure"));
        assertEquals(lines(plain.out, "flux"), lines(gas.out, "flux"));
        assertEquals(4, lines(gas.out, "flux").size());
        assertEquals(List.of(), lines(plain.out, "gas_flux"));

        List<PointLine> ch4 = gas.out.stream().filter(p -> p.measurement().equals("gas_flux")).toList();
        assertEquals(4, ch4.size(), "one CH4 point per closure, fitted or not");
        double deadBandS = gas.site.chambers().schedule().deadBandS();
        double r3 = Math.sqrt(3);
        for (int c = 0; c < 4; c++) {
            PointLine p = ch4.get(c);
            ChamberFeed.Result r = gas.results.get(c);
            String chamber = r.closure().chamberId();
            assertEquals(chamber, tag(p, "chamber"), p.line());
            assertEquals("ch4", tag(p, "gas"), p.line());
            assertTrue(p.line().contains("unit=\"nmol m-2 s-1\""), p.line());
            if (c == 3) {
                // quiet CH4 analyser: no flux, and the point says why
                assertFalse(p.line().contains(",flux="), p.line());
                assertEquals(1 << 2, (long) field(p, "closure_qc"), "NO_SAMPLES: " + p.line());
                assertFalse(r.traceGases().get(Gas.CH4).fitted(), p.line());
                assertTrue(r.estimate().fitted(), "CO2 still fitted");
                continue;
            }
            double expected = CH4_PER_CO2 * gas.analyser.fluxAt(chamber, deadBandS);
            assertEquals(expected, field(p, "flux"), REL * expected, p.line());
            int co2Points = r.estimate().pointsUsed();
            assertEquals(c == 1 ? co2Points - 3 : co2Points, (int) field(p, "points"), p.line());
            assertEquals(c == 1 ? 1 << 3 : 0, (long) field(p, "closure_qc"), "MISSING_SAMPLES for chamber-2: " + p.line());
            // §7.2: V +-3 %, S +-1 %, T +-1 degC as for CO2, and the gain from the CH4 channel's +-3 % of reading
            double expectedRel = Math.sqrt(Math.pow(0.03 / r3, 2) + Math.pow(0.01 / r3, 2)
                    + Math.pow(1 / r3 / 293.15, 2) + Math.pow(0.03 / r3, 2));
            assertEquals(expectedRel, field(p, "systematic_rel"), 1e-9, p.line());
        }
    }

    private record Run(SiteConfig site, SimulatedChamberAnalyser analyser, List<PointLine> out,
                       List<ChamberFeed.Result> results) {
    }

    /** The same readings on {@code site}: LI-850 CO2/H2O/P, air T and CH4 (ppm, wet) every 2 s for one cycle. */
    private static Run run(SiteConfig site) {
        VirtualScheduler clock = new VirtualScheduler(T0);
        Map<String, Double> flux = new LinkedHashMap<>();
        Map<String, ChamberGeometry> geometry = new LinkedHashMap<>();
        double[] truth = {2.4, 3.6, 1.7, 4.8};
        int i = 0;
        for (ChamberConfig c : site.chambers().chambers()) {
            flux.put(c.id(), truth[i++]);
            geometry.put(c.id(), c.geometry());
        }
        SimulatedChamberAnalyser.Settings air = new SimulatedChamberAnalyser.Settings(420, 12, 20, 101.3, 0, 0.002,
                site.chambers().schedule().closeS(), 15, 2);
        SimulatedChamberAnalyser analyser = new SimulatedChamberAnalyser(clock, air, flux, geometry, 11, s -> { });
        List<PointLine> out = new CopyOnWriteArrayList<>();
        ChamberFeed feed = new ChamberFeed(site, analyser, clock, FluxOptions.defaults(), out::addAll);
        List<ChamberFeed.Result> results = new ArrayList<>();
        feed.onResult(results::add);
        feed.start();
        double w = air.h2oMmolMol();
        for (long t = T0; t <= T0 + 1000 * S; t += 2 * S) {
            clock.runUntil(t);
            double co2 = analyser.reportedCo2Ppm(t);
            List<Reading> readings = new ArrayList<>(List.of(
                    new Reading(site.id(), "analyser", "co2", "ppm", t, co2, 0, "analyser-2025-03"),
                    new Reading(site.id(), "air", "air_temp", "Cel", t, 20, 0),
                    new Reading(site.id(), "analyser", "cell_pressure", "kPa", t, 101.3, 0),
                    new Reading(site.id(), "analyser", "h2o", "mmol/mol", t, w, 0)));
            long s = (t - T0) / S;
            if (!CH4_MISSING_S.contains(s) && s < CH4_QUIET_FROM_S) {
                double ch4DryPpb = 1950 + CH4_PER_CO2 * (co2 / (1 - w / 1000) - air.ambientPpm());
                readings.add(new Reading(site.id(), "gas", "ch4", "ppm", t, ch4DryPpb * (1 - w / 1000) / 1000, 0));
            }
            feed.accept(readings);
        }
        clock.runUntil(T0 + 1100 * S);
        feed.close();
        assertEquals(4, results.size(), "one closure per chamber");
        return new Run(site, analyser, out, results);
    }

    private static List<String> lines(List<PointLine> out, String measurement) {
        return out.stream().filter(p -> p.measurement().equals(measurement)).map(PointLine::line).toList();
    }
}
