package org.fieldgate.calc.decomposition;

import org.fieldgate.calc.Constants;
import org.fieldgate.calc.Require;
import org.fieldgate.calc.Uncertainty;

/**
 * 95 % intervals of the decomposition figures (docs/science.md §7.3).
 *
 * <p>Annual Rh: the random part is the standard error of the mean daily sum (day-to-day scatter of the measured
 * days, which contains the chambers' random error) x 365.25, with Student's t at n-1 degrees of freedom; the
 * systematic part is the chamber flux's relative systematic uncertainty (V, S, P, T, analyser gain: the same on
 * every day), at the normal quantile. k adds the relative uncertainty of Csoc. Q10 and Rref come from the
 * regression of ln R on T (t at n-2 degrees of freedom); Rref, being a flux, also carries the flux's systematic
 * part, while Q10, a ratio of fluxes, does not (a gain error cancels). Missing days are not filled in: the annual
 * figure's assumption that they resemble the measured ones is what {@code coverage_fraction} qualifies.
 *
 * @param rhAnnualCi95LowGCM2Yr   annual Rh interval, g C m-2 yr-1
 * @param rhAnnualCi95HighGCM2Yr  annual Rh interval, g C m-2 yr-1
 * @param kCi95LowPerYr           k interval, yr-1
 * @param kCi95HighPerYr          k interval, yr-1
 * @param q10Ci95Low              Q10 interval (NaN without a fit)
 * @param q10Ci95High             Q10 interval
 * @param rrefCi95LowUmolM2S      Rref (Q10 model, 10 degC) interval, umol m-2 s-1
 * @param rrefCi95HighUmolM2S     Rref interval
 */
public record DecompositionUncertainty(double rhAnnualCi95LowGCM2Yr, double rhAnnualCi95HighGCM2Yr,
                                       double kCi95LowPerYr, double kCi95HighPerYr, double q10Ci95Low,
                                       double q10Ci95High, double rrefCi95LowUmolM2S, double rrefCi95HighUmolM2S) {

    /**
     * @param fluxSystematicRel relative standard uncertainty of every flux (systematic, §7.2)
     * @param socRel            relative standard uncertainty of Csoc
     */
    public static DecompositionUncertainty of(DecompositionResult d, double fluxSystematicRel, double socRel) {
        Require.nonNegative("fluxSystematicRel", fluxSystematicRel);
        Require.nonNegative("socRel", socRel);
        int n = d.daysMeasured();
        double annual = d.rhAnnualGCM2Yr();
        // with one day there is no scatter to estimate the random part from: no interval rather than a false one
        double randomHalf = n > 1
                ? Uncertainty.t95(n - 1) * d.rhDailySdGCM2D() / Math.sqrt(n) * Constants.DAYS_PER_YEAR : Double.NaN;
        double annualHalf = Uncertainty.rss(randomHalf, Uncertainty.Z95 * Math.abs(annual) * fluxSystematicRel);
        double k = d.kPerYr();
        double kHalf = Uncertainty.rss(randomHalf / d.socGCM2(),
                Uncertainty.Z95 * Math.abs(k) * Uncertainty.rss(fluxSystematicRel, socRel));

        TemperatureResponse.Q10Fit q = d.q10();
        double q10Lo = Double.NaN;
        double q10Hi = Double.NaN;
        double rrefLo = Double.NaN;
        double rrefHi = Double.NaN;
        if (q.failure() == null && q.n() > 2) {
            double t = Uncertainty.t95(q.n() - 2);
            double lnQ10Se = q.q10Se() / q.q10(); // = 10 SE(slope)
            q10Lo = q.q10() * Math.exp(-t * lnQ10Se);
            q10Hi = q.q10() * Math.exp(t * lnQ10Se);
            double lnRrefHalf = Uncertainty.rss(t * q.lnRrefSe(), Uncertainty.Z95 * fluxSystematicRel);
            rrefLo = q.rrefUmolM2S() * Math.exp(-lnRrefHalf);
            rrefHi = q.rrefUmolM2S() * Math.exp(lnRrefHalf);
        }
        return new DecompositionUncertainty(annual - annualHalf, annual + annualHalf, k - kHalf, k + kHalf,
                q10Lo, q10Hi, rrefLo, rrefHi);
    }
}
