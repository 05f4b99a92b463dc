package org.fieldgate.acquire.li7810;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chamber.ClosureEvent;
import org.fieldgate.acquire.chamber.ClosureQc;
import org.fieldgate.acquire.chamber.LidActuator;
import org.fieldgate.acquire.chamber.SimulatedChamberAnalyser;
import org.fieldgate.acquire.chamber.VirtualScheduler;
import org.fieldgate.acquire.hardware.HardwareProbeFactory;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.calc.flux.Gas;
import org.fieldgate.live.ChamberFeed;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.PointLine;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LI-7810 as a site's chamber analyser, through the real parts: the soil example's site file with its analyser
 * swapped for an LI-7810 at a real mosquitto's loopback address (standing in for the instrument's own broker), the
 * gateway's probe factory building the driver from it (Paho link, manual's topics) and the chamber lids from the
 * file's relay pins (Pi4J's mock GPIO), the chamber sequencer driving those relays, and the flux calculator. A
 * publisher puts the records an analyser would publish for closed-form headspace curves on the data topic: dry CO2
 * of each chamber's known flux (docs/science.md §1.4's saturating curve, no noise), CH4 rising with it at 0.5 ppb per
 * ppm. Each chamber's CO2 flux, and the CH4 flux the feed fits over the same closure (analyser.ch4, point gas_flux),
 * come back to 0.5 %; one record with a DIAG bit set marks its closure SAMPLE_QC, for CO2 and CH4.
 *
 * <p>Sequencer and lids run on virtual time; the driver's clock is that time plus the real time spent in the test,
 * so a record the broker loses fails its sample after the record timeout instead of waiting forever.
 */
@StartsProcesses
class Li7810ChamberTest {
    static final Path CONFIG = Li7810Sites.CONFIG;
    static final long T0 = 1_780_000_000_000_000_000L;
    static final long S = 1_000_000_000L;
    static final double CH4_PER_CO2 = 0.5; // ppb CH4 per ppm CO2 above ambient: the CH4 flux (nmol) is half the CO2's
    static final double REL = 0.005;
    static final long DIAG_AT_S = 500;

    @TempDir
    Path dir;

    private MosquittoProcess broker;
    private Li7810Fake instrument;
    private HardwareProbeFactory factory;
    private Context gpio;

    @AfterEach
    void stop() throws Exception {
        if (factory != null) {
            factory.close(); // releases the relays and the Pi4J context
        }
        if (instrument != null) {
            instrument.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** The soil example with an LI-7810 at {@code address} as its chamber analyser (dry CO2, barometer pressure). */
    private SiteConfig soilPlotWithLi7810(String address) throws IOException {
        Path file = dir.resolve("soil-plot-li7810.yaml");
        Files.writeString(file, Li7810Sites.soilPlot(address));
        return SiteConfigs.loadOrThrow(file, CONFIG.resolve("models"));
    }

    @Test
    void aFullCycleOnTheRelaysThroughTheBrokerRecoversEachChambersCo2AndCh4Flux() throws Exception {
        broker = MosquittoProcess.started();
        instrument = new Li7810Fake(broker.url());
        SiteConfig soil = soilPlotWithLi7810("127.0.0.1:" + broker.port());

        VirtualScheduler scheduler = new VirtualScheduler(T0);
        long realStart = System.nanoTime();
        BusClock clock = new BusClock() {
            @Override
            public long nanoTime() {
                return scheduler.nowNs() + (System.nanoTime() - realStart);
            }

            @Override
            public void sleep(Duration d) {
                throw new UnsupportedOperationException("the LI-7810 driver and the relays do not sleep");
            }
        };
        factory = new HardwareProbeFactory(() -> gpio = Pi4J.newContextBuilder().add(new MockPlatform())
                .add(MockI2CProvider.newInstance(), MockDigitalInputProvider.newInstance(),
                        MockDigitalOutputProvider.newInstance()).build(),
                new HardwareProbeFactory.Providers(MockI2CProvider.ID, MockDigitalInputProvider.ID,
                        MockDigitalOutputProvider.ID),
                (device, settings) -> {
                    throw new IOException(device + ": no serial port in this test");
                }, clock);
        Probe analyser = factory.create(soil, soil.probe("analyser"));
        LidActuator relays = factory.lids(soil);

        Map<String, Double> flux = new LinkedHashMap<>();
        Map<String, ChamberGeometry> geometry = new LinkedHashMap<>();
        Map<String, Integer> pins = new LinkedHashMap<>();
        double[] truth = {2.4, 3.6, 1.7, 4.8};
        int i = 0;
        for (ChamberConfig c : soil.chambers().chambers()) {
            flux.put(c.id(), truth[i++]);
            geometry.put(c.id(), c.geometry());
            pins.put(c.id(), c.relayPin());
        }
        // the headspace: closed-form curves without noise (the publisher rounds to 0.1 ppb / 0.0001 ppm)
        SimulatedChamberAnalyser.Settings air = new SimulatedChamberAnalyser.Settings(420, 12, 20, 101.3, 0, 0.002,
                soil.chambers().schedule().closeS(), 15, 2);
        SimulatedChamberAnalyser headspace = new SimulatedChamberAnalyser(scheduler, air, flux, geometry, 11, s -> { });
        List<String> moves = new ArrayList<>();
        LidActuator lids = new LidActuator() {
            @Override
            public void close(String chamberId) throws Exception {
                relays.close(chamberId);
                moves.add("close " + chamberId + " relay-" + pins.get(chamberId) + " " + relay(pins.get(chamberId)));
                headspace.close(chamberId);
            }

            @Override
            public void open(String chamberId) throws Exception {
                relays.open(chamberId);
                moves.add("open " + chamberId + " relay-" + pins.get(chamberId) + " " + relay(pins.get(chamberId)));
                headspace.open(chamberId);
            }
        };
        List<PointLine> out = new CopyOnWriteArrayList<>();
        ChamberFeed feed = new ChamberFeed(soil, lids, scheduler, FluxOptions.defaults(), out::addAll);
        List<ChamberFeed.Result> results = new ArrayList<>();
        feed.onResult(results::add);
        feed.start();

        double w = air.h2oMmolMol();
        // the header retained, as the analyser's broker keeps it; the first record too, so the driver's first sample
        // (which subscribes) finds it; every later record is published once, before the sample that takes it
        instrument.header(Li7810Fake.HEADER);
        Map<Long, Double> ch4 = new HashMap<>();
        for (long t = T0; t <= T0 + 1000 * S; t += 2 * S) {
            scheduler.runUntil(t);
            double co2Dry = headspace.reportedCo2Ppm(t) / (1 - w / 1000);
            double ch4Dry = 1950 + CH4_PER_CO2 * (co2Dry - air.ambientPpm());
            // one record with a DIAG bit set, in chamber-3's observation window (its slot: 440-660 s)
            long diag = t == T0 + DIAG_AT_S * S ? 8 : 0;
            instrument.publish(Li7810Stream.DATA_TOPIC, Li7810Fake.data(t / S, t % S, diag, fmt(1000 * w), fmt(co2Dry),
                    fmt(ch4Dry), "66.012", "55.004"), t == T0);
            List<Reading> readings = new ArrayList<>();
            for (Measurement m : analyser.sample()) {
                readings.add(new Reading(soil.id(), "analyser", m.channel(), m.unit(), t, m.value(), m.qc()));
                if (m.channel().equals("ch4_dry")) {
                    ch4.put(t, m.value());
                }
            }
            // the air probe (a BME280 in the site file) as readings: the chamber's T and P are not the analyser's
            readings.add(new Reading(soil.id(), "air", "air_temp", "Cel", t, air.tempC(), 0));
            readings.add(new Reading(soil.id(), "air", "air_pressure", "kPa", t, air.pressureKpa(), 0));
            feed.accept(readings);
        }
        scheduler.runUntil(T0 + 1100 * S);
        feed.close();

        // each chamber's relay pulled in (LOW: active-low) for its closure and released after, one chamber at a time
        List<String> expectedMoves = new ArrayList<>();
        for (Map.Entry<String, Integer> p : pins.entrySet()) {
            expectedMoves.add("close " + p.getKey() + " relay-" + p.getValue() + " LOW");
            expectedMoves.add("open " + p.getKey() + " relay-" + p.getValue() + " HIGH");
        }
        assertEquals(expectedMoves, moves);
        assertEquals(4, results.size(), "one closure per chamber in the cycle");
        List<PointLine> co2Points = out.stream().filter(p -> p.measurement().equals("flux")).toList();
        List<PointLine> ch4Points = out.stream().filter(p -> p.measurement().equals("gas_flux")).toList();
        assertEquals(4, co2Points.size(), "one CO2 flux point per closure");
        assertEquals(4, ch4Points.size(), "one CH4 flux point per closure (analyser.ch4 is the LI-7810's ch4_dry)");
        double deadBandS = soil.chambers().schedule().deadBandS();
        for (ChamberFeed.Result r : results) {
            ClosureEvent e = r.closure();
            double expected = headspace.fluxAt(e.chamberId(), deadBandS);
            FluxEstimate co2 = r.estimate();
            String what = String.format(Locale.ROOT, "%s: CO2 %.5f vs %.5f umol m-2 s-1 (%s), flags %s", e.chamberId(),
                    co2.fluxUmolM2S(), expected, co2.model(), co2.flags());
            System.out.println(what);
            assertEquals(expected, co2.fluxUmolM2S(), REL * expected, what);
            // the DIAG record's values came flagged STATUS_WARNING: its closure says a sample carried QC bits
            boolean diag = e.chamberId().equals("chamber-3");
            assertEquals(diag ? EnumSet.of(ClosureQc.SAMPLE_QC) : EnumSet.noneOf(ClosureQc.class), e.qc(), e.chamberId());
            PointLine co2Point = point(co2Points, e);
            assertEquals(co2.fluxUmolM2S(), field(co2Point, "flux"), 0, co2Point.line());
            assertFalse(co2Point.line().contains("gas=") || co2Point.line().contains("unit="), co2Point.line());

            // CH4, fitted by the feed over the same closed samples, dry as the analyser reports it (nmol m-2 s-1)
            double expectedCh4 = CH4_PER_CO2 * expected;
            FluxEstimate ch4Estimate = r.traceGases().get(Gas.CH4);
            assertTrue(ch4Estimate != null && ch4Estimate.fitted(), e.chamberId() + ": no CH4 flux in the result");
            PointLine ch4Point = point(ch4Points, e);
            double ch4Flux = field(ch4Point, "flux");
            what = String.format(Locale.ROOT, "%s: CH4 %.5f vs %.5f nmol m-2 s-1 (%s), %s", e.chamberId(), ch4Flux,
                    expectedCh4, ch4Estimate.model(), ch4Point.line());
            System.out.println(what);
            assertEquals(expectedCh4, ch4Flux, REL * expectedCh4, what);
            assertEquals(ch4Estimate.fluxUmolM2S(), ch4Flux, 0, what);
            assertTrue(ch4Point.line().startsWith("gas_flux,chamber=" + e.chamberId() + ",gas=ch4,model="), what);
            assertTrue(ch4Point.line().contains(",unit=\"nmol m-2 s-1\""), what);
            assertEquals(e.lidCloseNs(), ch4Point.timeNs(), what);
            // every closed sample carried CH4; the DIAG record flagged CH4 too (one record, one DIAG)
            assertEquals(co2.pointsUsed(), (int) field(ch4Point, "points"), what);
            assertEquals(diag ? 32 : 0, (int) field(ch4Point, "closure_qc"), what);
            assertTrue(field(ch4Point, "flux_ci95_low") < ch4Flux && ch4Flux < field(ch4Point, "flux_ci95_high"), what);
        }
        // every record taken once, none refused (bus errors count refused payloads and lost connections); the one
        // initialisation is the first sample's subscription
        assertEquals(new org.fieldgate.acquire.ProbeCounters(501, 0, 0, 0, 1), analyser.counters());
        assertEquals(501, ch4.size());
    }

    private String relay(int pin) {
        DigitalState s = ((DigitalOutput) gpio.registry().get("relay-" + pin)).state();
        return s.toString();
    }

    /** The point of {@code e}'s closure among {@code points}. */
    private static PointLine point(List<PointLine> points, ClosureEvent e) {
        List<PointLine> mine = points.stream().filter(p -> p.line().contains("closure_id=\"" + e.closureId() + "\""))
                .toList();
        assertEquals(1, mine.size(), e.closureId() + ": " + mine);
        return mine.get(0);
    }

    private static double field(PointLine p, String name) {
        Matcher m = Pattern.compile("[ ,]" + name + "=(-?[0-9.eE+-]+)i?[ ,]").matcher(p.line());
        assertTrue(m.find(), "no field " + name + " in " + p.line());
        return Double.parseDouble(m.group(1));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
