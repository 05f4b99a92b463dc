package org.fieldgate.acquire.site;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.function.LongToDoubleFunction;
import java.time.Duration;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.hardware.ModelChannelsProbe;
import org.fieldgate.acquire.li7810.Li7810Stream;
import org.fieldgate.acquire.li7810.SimulatedLi7810Link;
import org.fieldgate.acquire.li850.Li850;
import org.fieldgate.acquire.li850.SimulatedLi850Link;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeCounters;
import org.fieldgate.acquire.ProbeFactory;
import org.fieldgate.acquire.chamber.LidActuator;
import org.fieldgate.acquire.chamber.Scheduler;
import org.fieldgate.acquire.chamber.SimulatedChamberAnalyser;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.ChannelRef;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.RockBatch;
import org.fieldgate.site.SensorModel;
import org.fieldgate.site.SiteConfig;

/**
 * Simulators for every probe of a site file, for the demo and tests: the channels the sensor model declares, in its
 * units, with series a soil scientist would recognise, chosen by the probe's role in the site:
 * <ul>
 * <li>soil temperature at depth z: a diurnal wave damped as exp(-z/d) and lagged z/d radians (damping depth d =
 *     12 cm), air temperature the undamped wave peaking mid-afternoon local solar time;</li>
 * <li>soil water: a weekly rain pulse drying down exponentially (faster near the surface), produced as TEROS 12 raw
 *     counts and converted by the model's equation, so a site calibration on raw input has something to act on;</li>
 * <li>soil CO2 at depth: rising with depth and with temperature (Q10 = 2), lower for a day after rain;</li>
 * <li>the chamber analyser: the {@link SimulatedChamberAnalyser}'s saturating headspace curve of each chamber's
 *     configured flux while its lid is closed (the simulator is also the lid actuator), ambient otherwise;</li>
 * <li>the mineralisation house: inlet CO2 ambient with a diurnal swing, outlet below it by an uptake that slows as the
 *     rock carbonates (exp(-days since batch start / 150 d)), airflow from the fan's duct pressure, fan power and the
 *     energy it integrates, tachometer pulses.</li>
 * </ul>
 * Values are deterministic for a seed and a time (noise drawn from both), quantised to the instrument's resolution.
 */
public final class SimulatedProbes implements ProbeFactory {
    private static final double DAY_S = 86_400;
    /** Chamber fluxes the demo's analyser reproduces, umol m-2 s-1, by chamber order (soil respiration, warm season). */
    static final double[] CHAMBER_FLUX = {2.4, 3.6, 1.7, 4.8};

    private final long seed;
    private final LongSupplier wallNs;
    private final Map<String, SimulatedChamberAnalyser> chambers = new HashMap<>();

    /** @param wallNs the gateway's disciplined time (the time keeper's nowNs), which the series are functions of */
    public SimulatedProbes(long seed, LongSupplier wallNs) {
        this.seed = seed;
        this.wallNs = wallNs;
    }

    /**
     * The simulated lids and analyser loop of a site's chambers (one per site, shared with the analyser probe), or
     * null when the site has none.
     */
    public synchronized SimulatedChamberAnalyser chambers(SiteConfig site) {
        if (site.chambers() == null) {
            return null;
        }
        return chambers.computeIfAbsent(site.id(), id -> {
            Map<String, Double> flux = new LinkedHashMap<>();
            Map<String, ChamberGeometry> geometry = new LinkedHashMap<>();
            List<ChamberConfig> list = site.chambers().chambers();
            for (int i = 0; i < list.size(); i++) {
                flux.put(list.get(i).id(), CHAMBER_FLUX[i % CHAMBER_FLUX.length]);
                geometry.put(list.get(i).id(), list.get(i).geometry());
            }
            Scheduler clock = new Scheduler() {
                @Override
                public long nowNs() {
                    return wallNs.getAsLong();
                }

                @Override
                public Task at(long timeNs, Runnable task) {
                    throw new UnsupportedOperationException("the analyser is sampled by its probe, not scheduled");
                }
            };
            var s = site.chambers().schedule();
            return new SimulatedChamberAnalyser(clock, SimulatedChamberAnalyser.Settings.defaults(s.closeS(), 1),
                    flux, geometry, seed ^ id.hashCode(), x -> { });
        });
    }

    /** The lid actuator of a site's chambers: the simulator. */
    public LidActuator lids(SiteConfig site) {
        return chambers(site);
    }

    @Override
    public Probe create(SiteConfig site, ProbeConfig probe) {
        SensorModel model = probe.model();
        long probeSeed = seed * 31 + probe.id().hashCode() * 17L + site.id().hashCode();
        double lonHours = site.longitude() / 15.0;
        Series series = new Series(probeSeed, lonHours, probe.depthCm());
        if (LI8X0.contains(model.id())) {
            return li8x0(site, probe, series);
        }
        if (LI78X0.contains(model.id())) {
            return li78x0(site, probe, series);
        }
        Map<String, LongToDoubleFunction> values = new LinkedHashMap<>();
        Map<String, Double> resolution = new HashMap<>();
        for (SensorModel.Channel c : model.channels()) {
            LongToDoubleFunction f = channel(site, probe, c, series);
            if (f == null) {
                throw new IllegalArgumentException("probe " + probe.id() + ": no simulator for channel " + c.name()
                        + " (" + c.unit() + ") of model " + model.id());
            }
            values.put(c.name(), f);
            resolution.put(c.name(), resolutionOf(c.unit()));
        }
        return new SimulatedSiteProbe(model, values, resolution, wallNs);
    }

    /** The LI-COR models whose simulation is their serial byte stream, read by the real driver. */
    private static final java.util.Set<String> LI8X0 = java.util.Set.of("li830", "li850", "li870");
    /** Output interval of the simulated analyser, s (its records arrive on their own, once a second). */
    static final double LI8X0_OUTPUT_S = 1;

    /**
     * An LI-830/850/870 as the gateway meets it on a site: the real {@link Li850} driver reading the XML records a
     * {@link SimulatedLi850Link} writes once a second. Its CO2 is the chamber loop's when the probe is the site's
     * chamber analyser, ambient otherwise; H2O and cell pressure follow the site's air, the cell temperature is held
     * near 50 degC.
     */
    private Probe li8x0(SiteConfig site, ProbeConfig probe, Series s) {
        Li850.Model m = Li850.Model.of(probe.model().id());
        boolean isAnalyser = site.chambers() != null && refersTo(site.chambers().co2(), probe);
        SimulatedChamberAnalyser a = isAnalyser ? chambers(site) : null;
        LongToDoubleFunction co2 = a != null ? a::reportedCo2Ppm : t -> s.ambientCo2(t) + 2 * s.noise(0, t);
        double h2o = a != null ? a.settings().h2oMmolMol() : 12;
        SimulatedLi850Link link = new SimulatedLi850Link(m, wallNs, LI8X0_OUTPUT_S, co2,
                t -> h2o + 0.02 * s.noise(2, t), t -> 50 + 0.05 * s.noise(11, t), s::pressureKpa);
        Duration timeout = Duration.ofMillis(3000);
        return new ModelChannelsProbe(new Li850(link, new Li850.Config(m, timeout, Duration.ZERO), BusClock.SYSTEM),
                probe.model());
    }

    /** The LI-COR trace gas analysers, simulated as the messages on their own MQTT broker, read by the real driver. */
    private static final java.util.Set<String> LI78X0 = java.util.Set.of("li7810", "li7815", "li7820");
    /** The simulated analyser cavity's held temperature (degC) and pressure (kPa); illustrative, not LI-COR's. */
    static final double CAVITY_C = 55;
    static final double CAVITY_KPA = 66;

    /**
     * An LI-7810/7815/7820 as the gateway meets it on a site: the real {@link Li7810Stream} driver reading the records a
     * {@link SimulatedLi7810Link} publishes once a second. These analysers report dry mole fractions: CO2 is the chamber
     * loop's dry CO2 when the probe is the site's chamber analyser, ambient otherwise; CH4 follows the headspace's CO2
     * rise at 0.5 ppb per ppm above 1950 ppb (a soil emitting both), N2O sits near 335 ppb. The cavity's temperature and
     * pressure ({@link #CAVITY_C}, {@link #CAVITY_KPA}) are illustrative held values, not LI-COR's set points.
     */
    private Probe li78x0(SiteConfig site, ProbeConfig probe, Series s) {
        Li7810Stream.Model m = Li7810Stream.Model.of(probe.model().id());
        boolean isAnalyser = site.chambers() != null && refersTo(site.chambers().co2(), probe);
        SimulatedChamberAnalyser a = isAnalyser ? chambers(site) : null;
        double h2oMmolMol = a != null ? a.settings().h2oMmolMol() : 12;
        LongToDoubleFunction co2 = a != null ? t -> a.reportedCo2Ppm(t) / (1 - h2oMmolMol / 1000)
                : t -> s.ambientCo2(t) + 2 * s.noise(0, t);
        SimulatedLi7810Link.Series series = new SimulatedLi7810Link.Series(co2,
                t -> 1950 + 0.5 * (co2.applyAsDouble(t) - 425) + 0.3 * s.noise(3, t),
                t -> 335 + 0.05 * s.noise(4, t), t -> 1000 * h2oMmolMol + 20 * s.noise(2, t),
                t -> CAVITY_KPA + 0.002 * s.noise(14, t), t -> CAVITY_C + 0.005 * s.noise(11, t));
        SimulatedLi7810Link link = new SimulatedLi7810Link(m, wallNs, LI8X0_OUTPUT_S, series);
        Li7810Stream.Config config = new Li7810Stream.Config(m, Duration.ofMillis(3000), Duration.ofMillis(5000),
                Duration.ZERO);
        return new ModelChannelsProbe(new Li7810Stream(link, config, BusClock.SYSTEM), probe.model());
    }

    private LongToDoubleFunction channel(SiteConfig site, ProbeConfig probe, SensorModel.Channel c, Series s) {
        String name = c.name();
        String unit = c.unit();
        boolean isAnalyser = site.chambers() != null && refersTo(site.chambers().co2(), probe);
        boolean inlet = site.house() != null && refersTo(site.house().inletCo2(), probe);
        boolean outlet = site.house() != null && refersTo(site.house().outletCo2(), probe);
        switch (name) {
            case "co2":
                if (isAnalyser) {
                    SimulatedChamberAnalyser a = chambers(site);
                    return t -> a.reportedCo2Ppm(t);
                }
                if (inlet) {
                    return t -> s.ambientCo2(t) + 0.8 * s.noise(0, t);
                }
                if (outlet) {
                    RockBatch batch = site.house().batches().isEmpty() ? null : site.house().batches()
                            .get(site.house().batches().size() - 1);
                    return t -> s.ambientCo2(t) - drawdownPpm(batch, t) + 0.8 * s.noise(1, t);
                }
                if (probe.depthCm() != null) {
                    return s::soilCo2;
                }
                return t -> s.ambientCo2(t) + 2 * s.noise(0, t);
            case "temp":
                return probe.depthCm() != null ? s::soilTemp : s::airTemp;
            case "rh":
                return t -> Math.min(100, 72 - 20 * s.diurnal(t, 14.5) + 0.4 * s.noise(2, t));
            case "pressure": {
                double scale = unit.equals("Pa") ? 1000 : unit.equals("hPa") ? 10 : 1;
                return t -> scale * s.pressureKpa(t);
            }
            case "dp":
                return t -> 60 + 6 * Math.sin(2 * Math.PI * s.seconds(t) / 900) + 0.3 * s.noise(3, t);
            case "vwc_raw":
                return s::teros12Raw;
            case "vwc":
                return t -> c.scale(s.teros12Raw(t));
            case "ec":
                return t -> 0.18 + 1.2 * (s.vwc(t) - 0.1) + 0.005 * s.noise(4, t);
            case "power":
                return t -> 350 + 25 * Math.sin(2 * Math.PI * s.seconds(t) / 900) + 3 * s.noise(5, t);
            case "energy_import":
                // a 350 W fan since the start of 2025, to the meter's 0.01 kWh
                return t -> 0.35 * (s.seconds(t) - 1_735_689_600L) / 3600.0;
            case "voltage":
                return t -> 230 + 2 * s.noise(6, t);
            case "frequency":
                return t -> s.fanHz(t);
            case "speed":
                return t -> c.scale(s.fanHz(t));
            case "state":
                return t -> 0;
            default:
                if (unit.equals("V")) {
                    // a capacitive moisture probe's output voltage on an ADC input
                    return t -> 1.1 + 1.4 * (0.45 - s.vwc(t)) + 0.002 * s.noise(7, t);
                }
                return null;
        }
    }

    private static boolean refersTo(ChannelRef ref, ProbeConfig probe) {
        return ref != null && ref.probe().equals(probe.id());
    }

    /** Outlet below inlet, ppm: uptake slowing as the rock carbonates; the demo's rock is renewed yearly. */
    static double drawdownPpm(RockBatch batch, long tNs) {
        double days = batch == null ? 30 : (tNs / 1e9 - batch.startDate().toEpochDay() * DAY_S) / DAY_S;
        days = ((days % 365) + 365) % 365;
        return 42 * Math.exp(-days / 150);
    }

    private static double resolutionOf(String unit) {
        return switch (unit) {
            case "ppm" -> 0.1;
            case "Cel" -> 0.01;
            case "%RH" -> 0.01;
            case "kPa" -> 0.0001;
            case "Pa" -> 0.01;
            case "count" -> 1;
            case "m3/m3" -> 0.0001;
            case "dS/m" -> 0.001;
            case "W" -> 0.1;
            case "kWh" -> 0.01;
            case "V" -> 0.001;
            case "Hz" -> 0.01;
            case "1/min" -> 0.1;
            default -> 1e-6;
        };
    }

    /** The physics, as functions of wall time in ns. */
    private record Series(long seed, double lonHours, Double depthCm) {
        double seconds(long tNs) {
            return tNs / 1e9;
        }

        /** cos wave of local solar time peaking at {@code peakHour}. */
        double diurnal(long tNs, double peakHour) {
            double t = seconds(tNs) + lonHours * 3600;
            return Math.cos(2 * Math.PI * (t / DAY_S - peakHour / 24));
        }

        /** Deterministic noise in [-1, 1] for (seed, channel, second). */
        double noise(int channel, long tNs) {
            return new Random(seed * 1_000_003L + channel * 7919L + Math.floorDiv(tNs, 1_000_000_000L))
                    .nextDouble() * 2 - 1;
        }

        double airTemp(long t) {
            return 13 + 6 * diurnal(t, 15) + 0.03 * noise(10, t);
        }

        double soilTemp(long t) {
            double z = depthCm == null ? 0 : depthCm;
            double d = 12;
            double tLocal = seconds(t) + lonHours * 3600;
            double phase = 2 * Math.PI * (tLocal / DAY_S - 15.0 / 24) - z / d;
            return 14 + 6 * Math.exp(-z / d) * Math.cos(phase) + 0.02 * noise(11, t);
        }

        double daysSinceRain(long t) {
            return (seconds(t) % (7 * DAY_S)) / DAY_S;
        }

        double vwc(long t) {
            double z = depthCm == null ? 10 : depthCm;
            double tau = 1.5 + z / 10;                       // days; deeper soil dries more slowly
            double pulse = (0.14 - 0.002 * z) * Math.exp(-daysSinceRain(t) / tau);
            return 0.19 + 0.001 * z + pulse;
        }

        /** TEROS 12 raw counts for the water content, by the mineral-soil equation inverted. */
        double teros12Raw(long t) {
            return Math.round((vwc(t) + 0.6956) / 3.879e-4 + 2 * noise(12, t));
        }

        double soilCo2(long t) {
            double z = depthCm == null ? 10 : depthCm;
            double afterRain = daysSinceRain(t) < 1 ? 0.85 : 1.0;
            return (420 + 160 * z) * Math.pow(2.0, (soilTemp(t) - 14) / 10) * afterRain + 8 * noise(13, t);
        }

        double ambientCo2(long t) {
            return 425 + 12 * diurnal(t, 5);              // night-time build-up near the ground
        }

        double pressureKpa(long t) {
            double s = seconds(t);
            return 101.0 + 0.09 * Math.cos(4 * Math.PI * (s / DAY_S - 10.0 / 24))
                    + 0.8 * Math.sin(2 * Math.PI * s / (4.7 * DAY_S)) + 0.0015 * noise(14, t);
        }

        double fanHz(long t) {
            return 48.3 + 0.4 * Math.sin(2 * Math.PI * seconds(t) / 900) + 0.05 * noise(15, t);
        }
    }

    /** One simulated probe: the model's channels as functions of time. */
    private static final class SimulatedSiteProbe implements Probe {
        private final SensorModel model;
        private final Map<String, LongToDoubleFunction> values;
        private final Map<String, Double> resolution;
        private final LongSupplier wallNs;
        private long samples;

        SimulatedSiteProbe(SensorModel model, Map<String, LongToDoubleFunction> values, Map<String, Double> resolution,
                           LongSupplier wallNs) {
            this.model = model;
            this.values = values;
            this.resolution = resolution;
            this.wallNs = wallNs;
        }

        @Override
        public String model() {
            return model.name();
        }

        @Override
        public String address() {
            return "simulated";
        }

        @Override
        public synchronized List<Measurement> sample() {
            long t = wallNs.getAsLong();
            List<Measurement> out = new ArrayList<>(values.size());
            for (SensorModel.Channel c : model.channels()) {
                double r = resolution.get(c.name());
                double v = Math.round(values.get(c.name()).applyAsDouble(t) / r) * r;
                out.add(new Measurement(c.name(), c.unit(), v, c.inRange(v) ? 0 : QcFlags.OUT_OF_RANGE));
            }
            samples++;
            return out;
        }

        @Override
        public synchronized ProbeCounters counters() {
            return new ProbeCounters(samples, 0, 0, 0, 0);
        }

        @Override
        public void close() {
        }
    }

    @Override
    public void close() {
    }
}
