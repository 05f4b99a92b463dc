package org.fieldgate.acquire;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleFunction;

/**
 * A stand-in for a driver when there is no hardware (the demo, load tests): the same channels, units and
 * QC contract as the real chip's driver, with physically plausible series that are deterministic for a given
 * seed and time. Each series is a diurnal wave plus slow weather and a little sensor noise, quantised to the
 * chip's resolution so identical readings happen only where a real chip would produce them.
 */
public final class SimulatedProbe implements Probe {
    private static final double DAY_S = 86_400;

    private record Series(String channel, String unit, double resolution, double min, double max,
                          DoubleFunction<Double> valueAt) {
    }

    private final String model;
    private final String address;
    private final BusClock clock;
    private final List<Series> series;
    private final long epochOffsetS;
    private long samples;

    private SimulatedProbe(String model, String address, BusClock clock, long epochOffsetS, List<Series> series) {
        this.model = model;
        this.address = address;
        this.clock = clock;
        this.epochOffsetS = epochOffsetS;
        this.series = series;
    }

    /** Seconds since local midnight-ish for the diurnal terms: clock time plus the configured offset. */
    private double t() {
        return clock.nanoTime() / 1e9 + epochOffsetS;
    }

    private static double diurnal(double t, double peakHour) {
        return Math.cos(2 * Math.PI * (t / DAY_S - peakHour / 24));
    }

    /** Deterministic noise in [-1, 1] for (seed, channel, second). */
    private static double noise(long seed, int channel, double t) {
        return new Random(seed * 1_000_003L + channel * 7919L + (long) Math.floor(t)).nextDouble() * 2 - 1;
    }

    /** Chamber/soil-air CO2 with temperature and RH, as an SCD30 or SCD4x reports them. */
    public static SimulatedProbe co2(String model, long seed, BusClock clock, long epochOffsetS) {
        return new SimulatedProbe(model, "simulated", clock, epochOffsetS, List.of(
                new Series("co2", "ppm", model.startsWith("SCD4") ? 1 : 0.01, 0, 40_000,
                        t -> 650 + 180 * diurnal(t, 15) + 25 * Math.sin(2 * Math.PI * t / (3.3 * DAY_S))
                                + 6 * noise(seed, 0, t)),
                new Series("temp", "Cel", 0.01, -40, 70, t -> 14 + 6 * diurnal(t, 15) + 0.05 * noise(seed, 1, t)),
                new Series("rh", "%RH", 0.01, 0, 100, t -> 70 - 18 * diurnal(t, 15) + 0.3 * noise(seed, 2, t))));
    }

    /** Air temperature, pressure and humidity as a BME280 reports them. */
    public static SimulatedProbe bme280(long seed, BusClock clock, long epochOffsetS) {
        return new SimulatedProbe("BME280", "simulated", clock, epochOffsetS, List.of(
                new Series("temp", "Cel", 0.01, -40, 85, t -> 12 + 7 * diurnal(t, 14.5) + 0.02 * noise(seed, 0, t)),
                // semi-diurnal atmospheric tide (about 100 Pa, peaks near 10 and 22 h) on a slow synoptic swing
                new Series("pressure", "Pa", 0.18, 30_000, 110_000, t -> 101_000 + 90 * Math.cos(4 * Math.PI
                        * (t / DAY_S - 10.0 / 24)) + 800 * Math.sin(2 * Math.PI * t / (4.7 * DAY_S))
                        + 1.5 * noise(seed, 1, t)),
                new Series("rh", "%RH", 1 / 1024.0, 0, 100, t -> Math.min(100, 72 - 20 * diurnal(t, 14.5)
                        + 0.4 * noise(seed, 2, t)))));
    }

    /** Soil water content from a capacitive probe on an ADS1115: slow dry-down with a weekly rain pulse. */
    public static SimulatedProbe moisture(String channel, long seed, BusClock clock, long epochOffsetS) {
        return new SimulatedProbe("ADS1115", "simulated", clock, epochOffsetS, List.of(
                new Series(channel, "m3/m3", 0.0001, 0, 0.6, t -> {
                    double sinceRain = (t % (7 * DAY_S)) / DAY_S;                // days since the last rain
                    return 0.20 + 0.12 * Math.exp(-sinceRain / 2.5) - 0.004 * diurnal(t, 15)
                            + 0.0005 * noise(seed, 0, t);
                })));
    }

    /** Duct differential pressure and airflow as an SDP810 with a flow factor reports them. */
    public static SimulatedProbe airflow(double flowFactor, long seed, BusClock clock, long epochOffsetS) {
        DoubleFunction<Double> dp = t -> 60 + 8 * Math.sin(2 * Math.PI * t / 900) + 0.5 * noise(seed, 0, t);
        return new SimulatedProbe("SDP810_500PA", "simulated", clock, epochOffsetS, List.of(
                new Series("dp", "Pa", 1 / 60.0, -500, 500, dp),
                new Series("temp", "Cel", 0.005, -40, 85, t -> 18 + 4 * diurnal(t, 15) + 0.02 * noise(seed, 1, t)),
                new Series("flow", "m3/s", 1e-6, -1e9, 1e9,
                        t -> flowFactor * Math.sqrt(Math.max(0, dp.apply(t))))));
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public synchronized List<Measurement> sample() {
        double t = t();
        List<Measurement> out = new ArrayList<>(series.size());
        for (Series s : series) {
            double v = Math.round(s.valueAt().apply(t) / s.resolution()) * s.resolution();
            out.add(new Measurement(s.channel(), s.unit(), v, v < s.min() || v > s.max() ? DriverQc.OUT_OF_RANGE : 0));
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
