package org.fieldgate.calc.flux;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/** Synthetic closures for the tests and the benchmark: C'(t) given as a function, sampled at 1 Hz. */
public final class Closures {
    /** LI-COR 8100-103 survey chamber with a 2 cm collar offset on its 317.8 cm2 collar. */
    public static final ChamberGeometry SURVEY_CHAMBER = ChamberGeometry.withCollarOffset(4843, 2.0, 317.8);

    private Closures() {
    }

    /** Samples at t = 0, 1, ..., lastS of dry C'(t), constant W, T, P, plus Gaussian noise of sigma ppm. */
    public static List<ChamberSample> samples(int lastS, DoubleUnaryOperator dryPpm, double h2oMmolMol, double tempC,
                                              double pressureKpa, double noisePpm, Random random) {
        List<ChamberSample> samples = new ArrayList<>();
        for (int t = 0; t <= lastS; t++) {
            double dry = dryPpm.applyAsDouble(t) + (noisePpm > 0 ? noisePpm * random.nextGaussian() : 0);
            samples.add(new ChamberSample(t, dry * (1 - h2oMmolMol / 1000.0), h2oMmolMol, tempC, pressureKpa));
        }
        return samples;
    }

    /** Dry C'(t) of the LI-COR exponential with C'(0) = c0 approaching cx at rate a (t from lid closing). */
    public static DoubleUnaryOperator exponential(double c0Ppm, double cxPpm, double aPerS) {
        return t -> cxPpm + (c0Ppm - cxPpm) * Math.exp(-aPerS * t);
    }

    public static ChamberClosure closure(String id, List<ChamberSample> samples) {
        return new ChamberClosure(id, "ch1", SURVEY_CHAMBER, samples);
    }
}
