package org.fieldgate.calc.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.fieldgate.calc.LinearRegression;
import org.fieldgate.calc.flux.ChamberClosure;
import org.fieldgate.calc.flux.ChamberSample;
import org.fieldgate.calc.flux.Closures;
import org.fieldgate.calc.flux.ExponentialFit;
import org.fieldgate.calc.flux.FluxCalculator;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Closures per second of the flux fits on 120-point closures (1 Hz, 120 s window after a 20 s dead band), one
 * closure per operation, cycling through 64 noisy closures with different fluxes, curvatures and noise so the
 * branch predictor and the iteration counts see realistic variety. Three figures:
 * {@code exponentialFit} (the Levenberg-Marquardt exponential alone), {@code linearFit} (the straight line, the
 * baseline) and {@code fullEstimate} (the whole per-closure calculation: dilution, both fits, model choice, QC).
 * Run by {@code gateway/bench/flux-fit-bench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ExponentialFitBenchmark {
    private static final int CLOSURES = 64;
    private static final int POINTS = 120;

    private double[][] tau;
    private double[][] co2;
    private ChamberClosure[] closures;
    private FluxCalculator calculator;
    private int next;

    @Setup
    public void setUp() {
        Random random = new Random(120);
        tau = new double[CLOSURES][POINTS];
        co2 = new double[CLOSURES][POINTS];
        closures = new ChamberClosure[CLOSURES];
        for (int k = 0; k < CLOSURES; k++) {
            double slope = 0.2 + 3 * random.nextDouble();
            double a = k % 4 == 0 ? 0 : 0.001 + 0.01 * random.nextDouble(); // a quarter straight
            double noise = 0.1 + 1.5 * random.nextDouble();
            List<ChamberSample> samples = Closures.samples(20 + POINTS - 1,
                    t -> t < 20 ? 420 : 420 + (a == 0 ? slope * (t - 20) : slope * (1 - Math.exp(-a * (t - 20))) / a),
                    12, 20, 101.3, noise, random);
            closures[k] = Closures.closure("b" + k, new ArrayList<>(samples));
            for (int i = 0; i < POINTS; i++) {
                ChamberSample s = samples.get(20 + i);
                tau[k][i] = s.timeS() - 20;
                co2[k][i] = s.co2DryPpm();
            }
        }
        calculator = new FluxCalculator(FluxOptions.builder().deadBandS(20).observationS(POINTS - 1).build());
    }

    private int nextIndex() {
        int k = next;
        next = (k + 1) % CLOSURES;
        return k;
    }

    @Benchmark
    public ExponentialFit.Result exponentialFit() {
        int k = nextIndex();
        return ExponentialFit.fit(tau[k], co2[k], POINTS);
    }

    @Benchmark
    public LinearRegression linearFit() {
        int k = nextIndex();
        return LinearRegression.fit(tau[k], co2[k], 0, POINTS);
    }

    @Benchmark
    public FluxEstimate fullEstimate() {
        return calculator.estimate(closures[nextIndex()]);
    }
}
