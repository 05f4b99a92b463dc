package org.fieldgate.acquire.chamber;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.flux.ChamberGeometry;

/**
 * A chamber analyser loop and its lids, for the demo and tests: it is the {@link LidActuator} the sequencer drives
 * and it produces the {@link AnalyserSample}s the sequencer consumes, on the same {@link Scheduler}.
 *
 * <p>While a chamber's lid is sealed (its close command + {@code sealDelayS}, the lid's travel), the headspace's dry
 * CO2 follows the saturating curve of docs/science.md §1.4:
 * <pre>  C'(t) = Cx + (C'0 - Cx) exp(-a (t - tSeal)),   a (Cx - C'0) = F / k</pre>
 * with F the chamber's configured flux (umol m-2 s-1) at the seal, k = 10 V P (1 - W/1000) / (R S (T + 273.15))
 * (the same factor the calculator uses) and a the curvature. The slope at a later time t0 is therefore
 * {@code F/k exp(-a (t0 - tSeal))}: {@link #fluxAt(String, double)} gives the flux the calculator should recover
 * with its slope taken at t0. With the lid open (or moving) the loop relaxes to ambient with a time constant of
 * {@code purgeTauS}. The analyser reports wet CO2, C = C' (1 - W/1000), plus Gaussian noise; H2O, temperature and
 * pressure are constant with small noise. Deterministic for a given seed.
 */
public final class SimulatedChamberAnalyser implements LidActuator {

    /**
     * @param ambientPpm     ambient dry CO2, ppm (~420)
     * @param h2oMmolMol     water vapour, mmol mol-1
     * @param tempC          air temperature, degC
     * @param pressureKpa    air pressure, kPa
     * @param co2NoisePpm    analyser CO2 noise, 1 sigma, ppm
     * @param curvaturePerS  a, s-1 (0.001-0.005 is typical of a well-mixed chamber on soil)
     * @param sealDelayS     lid travel: from close command to sealed, s (the schedule's close-s)
     * @param purgeTauS      time constant of the loop returning to ambient with the lid open, s
     * @param intervalS      sampling interval, s
     */
    public record Settings(double ambientPpm, double h2oMmolMol, double tempC, double pressureKpa, double co2NoisePpm,
                           double curvaturePerS, double sealDelayS, double purgeTauS, double intervalS) {
        public static Settings defaults(double sealDelayS, double intervalS) {
            return new Settings(420, 12, 20, 101.3, 0.5, 0.002, sealDelayS, 15, intervalS);
        }
    }

    private final Scheduler scheduler;
    private final Settings settings;
    private final Map<String, Double> fluxUmolM2S;
    private final Map<String, ChamberGeometry> geometry;
    private final Consumer<AnalyserSample> sink;
    private final Random random;

    private String closedChamber;
    private long sealNs;
    private double sealC;
    private double sealSlope;
    private long openNs;
    private double openC;
    private boolean running;
    private long samples;

    public SimulatedChamberAnalyser(Scheduler scheduler, Settings settings, Map<String, Double> fluxUmolM2S,
                                    Map<String, ChamberGeometry> geometry, long seed, Consumer<AnalyserSample> sink) {
        this.scheduler = scheduler;
        this.settings = settings;
        this.fluxUmolM2S = Map.copyOf(fluxUmolM2S);
        this.geometry = new HashMap<>(geometry);
        this.sink = sink;
        this.random = new Random(seed);
        this.openNs = scheduler.nowNs();
        this.openC = settings.ambientPpm();
    }

    /** Starts sampling every interval from now. */
    public synchronized void start() {
        if (!running) {
            running = true;
            tick(scheduler.nowNs());
        }
    }

    public synchronized void stop() {
        running = false;
    }

    public Settings settings() {
        return settings;
    }

    public synchronized long samples() {
        return samples;
    }

    private void tick(long at) {
        scheduler.at(at, () -> {
            synchronized (SimulatedChamberAnalyser.this) {
                if (!running) {
                    return;
                }
                long now = scheduler.nowNs();
                double dry = dryCo2At(now);
                double w = settings.h2oMmolMol() + 0.01 * random.nextGaussian();
                double wet = dry * (1 - w / 1000) + settings.co2NoisePpm() * random.nextGaussian();
                AnalyserSample s = new AnalyserSample(now, wet, w, settings.tempC() + 0.02 * random.nextGaussian(),
                        settings.pressureKpa() + 0.002 * random.nextGaussian(), 0);
                samples++;
                tick(at + Math.round(settings.intervalS() * 1e9));
                sink.accept(s);
            }
        });
    }

    /**
     * What the analyser reports at {@code timeNs} when it is sampled by a probe rather than by {@link #start()}: wet
     * CO2 with the analyser's noise, ppm.
     */
    public synchronized double reportedCo2Ppm(long timeNs) {
        double dry = dryCo2At(timeNs);
        return dry * (1 - settings.h2oMmolMol() / 1000) + settings.co2NoisePpm() * random.nextGaussian();
    }

    /** The flux factor k for a chamber at the simulated conditions, umol m-2 s-1 per ppm s-1. */
    public double fluxFactor(String chamberId) {
        ChamberGeometry g = geometry.get(chamberId);
        return 10.0 * g.volumeCm3() * settings.pressureKpa() * (1 - settings.h2oMmolMol() / 1000.0)
                / (Constants.R_PA_M3_PER_K_MOL * g.areaCm2() * (settings.tempC() + Constants.ZERO_C_IN_K));
    }

    /** The true flux (slope of C' x k) {@code secondsAfterSeal} after the lid sealed. */
    public double fluxAt(String chamberId, double secondsAfterSeal) {
        return fluxUmolM2S.get(chamberId) * Math.exp(-settings.curvaturePerS() * secondsAfterSeal);
    }

    private double dryCo2At(long t) {
        if (closedChamber != null && t >= sealNs) {
            double a = settings.curvaturePerS();
            double cx = sealC + sealSlope / a;
            return cx + (sealC - cx) * Math.exp(-a * (t - sealNs) / 1e9);
        }
        double amb = settings.ambientPpm();
        return amb + (openC - amb) * Math.exp(-(t - openNs) / 1e9 / settings.purgeTauS());
    }

    @Override
    public synchronized void close(String chamberId) {
        if (!geometry.containsKey(chamberId) || !fluxUmolM2S.containsKey(chamberId)) {
            throw new IllegalArgumentException("simulator has no chamber " + chamberId);
        }
        long now = scheduler.nowNs();
        sealNs = now + Math.round(settings.sealDelayS() * 1e9);
        sealC = dryCo2At(sealNs); // still relaxing towards ambient until sealed
        sealSlope = fluxUmolM2S.get(chamberId) / fluxFactor(chamberId);
        closedChamber = chamberId;
    }

    @Override
    public synchronized void open(String chamberId) {
        long now = scheduler.nowNs();
        openC = dryCo2At(now);
        openNs = now;
        closedChamber = null;
    }
}
