package org.fieldgate.calc.mineralisation;

import java.util.Comparator;
import java.util.List;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.Uncertainty;

/**
 * First-order propagation of {@link HouseAccuracy} through the house's accounting (docs/science.md §7.4).
 *
 * <p>U = sum w_i r_i with w_i the trapezoid weights of the counted intervals (an uncounted gap gives no weight: missing
 * hours add neither uptake nor uncertainty) and r_i = a_i (Cin_i - Cout_i), a_i = P_i Q_i / (R T_i) x 1e-6 x 0.04401.
 * Random parts are independent between samples: var = sum w_i^2 [(r_i uQ)^2 + 2 (a_i uC)^2]. Systematic parts are
 * one error for the whole window and so add linearly over samples before squaring: flow and CO2 gain give U uGain,
 * the CO2 offset difference gives (sum w_i a_i) uOff, P gives (sum w_i r_i / P_i) uP, T gives (sum w_i r_i / T_i) uT.
 * Net = U - E G - H adds (E G)^2 (uE^2 + uG^2) + uH^2; X = U / (M Pot) adds uM^2 + uPot^2 relatively.
 *
 * @param uptakeSeKg            standard uncertainty of U, kg CO2
 * @param uptakeRandomSeKg      its random part
 * @param uptakeSystematicSeKg  its systematic part
 * @param fractionSe            standard uncertainty of X
 * @param netSeKg               standard uncertainty of net removal, kg CO2
 * @param uptakeCi95LowKg       U - 1.96 se
 * @param uptakeCi95HighKg      U + 1.96 se
 * @param fractionCi95Low       X - 1.96 se
 * @param fractionCi95High      X + 1.96 se
 * @param netCi95LowKg          net - 1.96 se
 * @param netCi95HighKg         net + 1.96 se
 * @param netConservativeKg     5th percentile of net removal, net - 1.645 se: over measured hours only
 * @param coverageFraction      measured (integrated) time / window (first to last valid sample)
 */
public record MineralisationUncertainty(double uptakeSeKg, double uptakeRandomSeKg, double uptakeSystematicSeKg,
                                        double fractionSe, double netSeKg, double uptakeCi95LowKg,
                                        double uptakeCi95HighKg, double fractionCi95Low, double fractionCi95High,
                                        double netCi95LowKg, double netCi95HighKg, double netConservativeKg,
                                        double coverageFraction) {

    public static MineralisationUncertainty of(List<HouseSample> input, HouseOptions options,
                                               MineralisationResult m, HouseAccuracy acc) {
        double[] k = sums(input, options, acc);
        double varRandom = k[0];
        double sumA = k[1];
        double sumRoverP = k[2];
        double sumRoverT = k[3];
        return fromSums(m.grossUptakeKg(), varRandom, sumA, sumRoverP, sumRoverT, m.mineralisedFraction(),
                options.rockKg() * options.potentialKgCo2PerKg(), m.energyKgCo2(), m.netRemovalKg(),
                m.spanS() > 0 ? m.integratedS() / m.spanS() : Double.NaN, acc);
    }

    /**
     * The same budget from sums a caller accumulated over several runs (the live feed's hours): U, the random
     * variance sum w_i^2 var(r_i) and the systematic sensitivities sum w_i a_i (kg per ppm), sum w_i r_i / P_i
     * (kg per kPa) and sum w_i r_i / T_i (kg per K), all additive over disjoint intervals.
     */
    public static MineralisationUncertainty fromSums(double u, double varRandom, double sumA, double sumRoverP,
                                                     double sumRoverT, double x, double capacityKg, double energyKgCo2,
                                                     double net, double coverage, HouseAccuracy acc) {
        double random = Math.sqrt(varRandom);
        double systematic = Uncertainty.rss(u * acc.flowGainRel(), u * acc.co2GainRel(), sumA * acc.co2OffsetDiffPpm(),
                sumRoverP * acc.pressureKpa(), sumRoverT * acc.tempC());
        double uSe = Uncertainty.rss(random, systematic);
        double xSe = Uncertainty.rss(uSe / capacityKg, x * acc.rockRel(), x * acc.potentialRel());
        double netSe = Uncertainty.rss(uSe, energyKgCo2 * Uncertainty.rss(acc.energyGainRel(), acc.gridRel()),
                acc.handlingKgCo2());
        double z = Uncertainty.Z95;
        return new MineralisationUncertainty(uSe, random, systematic, xSe, netSe, u - z * uSe, u + z * uSe,
                x - z * xSe, x + z * xSe, net - z * netSe, net + z * netSe, net - Uncertainty.Z05 * netSe, coverage);
    }

    /**
     * The additive sums of {@link #fromSums} over one run: {random variance, sum w a, sum w r / P, sum w r / T}.
     */
    public static double[] sums(List<HouseSample> input, HouseOptions options, HouseAccuracy acc) {
        List<HouseSample> valid = input.stream().filter(HouseSample::validForUptake)
                .sorted(Comparator.comparingDouble(HouseSample::timeS)).toList();
        double[] w = new double[valid.size()];
        for (int i = 1; i < valid.size(); i++) {
            double dt = valid.get(i).timeS() - valid.get(i - 1).timeS();
            if (dt <= options.maxGapS()) {
                w[i - 1] += dt / 2;
                w[i] += dt / 2;
            }
        }
        double varRandom = 0;
        double sumA = 0;
        double sumRoverP = 0;
        double sumRoverT = 0;
        for (int i = 0; i < w.length; i++) {
            HouseSample s = valid.get(i);
            double rate = s.uptakeKgCo2PerS();
            double a = MassBalance.uptakeKgCo2PerS(s.flowM3S(), 1, 0, s.tempC(), s.pressureKpa()); // per ppm
            varRandom += w[i] * w[i] * (sq(rate * acc.flowRandomRel()) + 2 * sq(a * acc.co2RandomPpm()));
            sumA += w[i] * a;
            sumRoverP += w[i] * rate / s.pressureKpa();
            sumRoverT += w[i] * rate / (s.tempC() + Constants.ZERO_C_IN_K);
        }
        return new double[] {varRandom, sumA, sumRoverP, sumRoverT};
    }

    private static double sq(double v) {
        return v * v;
    }
}
