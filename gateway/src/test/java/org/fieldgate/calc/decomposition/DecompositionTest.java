package org.fieldgate.calc.decomposition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fieldgate.calc.InvalidInputException;
import org.junit.jupiter.api.Test;

/** docs/science.md §2: from flux to decomposition rates. */
class DecompositionTest {
    private static final LocalDate START = LocalDate.of(2023, 1, 1);

    /** A seasonal temperature, degC, for day d of the year. */
    private static double seasonalTempC(int day) {
        return 12 - 10 * Math.cos(2 * Math.PI * day / 365.0);
    }

    @Test
    void q10AndRrefAreRecoveredFromNoisyDailyData() {
        Random random = new Random(10);
        double q10 = 2.3;
        double rref = 1.8;
        List<DailyRespiration> days = new ArrayList<>();
        for (int d = 0; d < 365; d++) {
            double t = seasonalTempC(d);
            double r = rref * Math.pow(q10, (t - 10) / 10) * Math.exp(0.1 * random.nextGaussian());
            days.add(new DailyRespiration(START.plusDays(d), r, t));
        }
        DecompositionResult result = new DecompositionCalculator(DecompositionOptions.of(5000, 1.0)).calculate(days);
        assertEquals(q10, result.q10().q10(), 0.02 * q10);
        assertEquals(rref, result.q10().rrefUmolM2S(), 0.02 * rref);
        assertNull(result.q10().failure());
        assertTrue(result.q10().r2Log() > 0.9);
    }

    @Test
    void q10IsExactOnNoiselessData() {
        double[] t = {0, 5, 10, 15, 20, 25};
        double[] r = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            r[i] = 1.5 * Math.pow(2.0, (t[i] - 10) / 10);
        }
        TemperatureResponse.Q10Fit fit = TemperatureResponse.fitQ10(t, r);
        assertEquals(2.0, fit.q10(), 1e-12);
        assertEquals(1.5, fit.rrefUmolM2S(), 1e-12);
        assertEquals(1.5 * Math.pow(2.0, 1.5), fit.predictUmolM2S(25), 1e-12);
    }

    @Test
    void lloydTaylorIsRecoveredExactly() {
        double e0 = 308.56;
        double rref = 2.0;
        double[] t = {-5, 0, 5, 10, 15, 20, 25};
        double[] r = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            double tK = t[i] + 273.15;
            r[i] = rref * Math.exp(e0 * (1 / (283.15 - 227.13) - 1 / (tK - 227.13)));
        }
        TemperatureResponse.LloydTaylorFit fit = TemperatureResponse.fitLloydTaylor(t, r);
        assertEquals(e0, fit.e0K(), 1e-9);
        assertEquals(rref, fit.rrefUmolM2S(), 1e-12);
        assertEquals(1.0, fit.r2Log(), 1e-12);
        assertEquals(rref, fit.predictUmolM2S(10), 1e-12); // 10 degC = Tref
    }

    @Test
    void annualSumDecayRateAndResidenceTimeWithGapsCounted() {
        // 1.0 umol m-2 s-1 Rs every day of 2023 except 10 days missing; Rh = 60 % of Rs.
        List<DailyRespiration> days = new ArrayList<>();
        for (int d = 0; d < 365; d++) {
            boolean missing = d >= 100 && d < 109; // 9 days without a row
            if (missing) {
                continue;
            }
            double r = d == 200 ? Double.NaN : 1.0; // one row without a value
            days.add(new DailyRespiration(START.plusDays(d), r, seasonalTempC(d)));
        }
        DecompositionResult result = new DecompositionCalculator(DecompositionOptions.of(6000, 0.6)).calculate(days);
        assertEquals(365, result.daysInSpan());
        assertEquals(355, result.daysMeasured());
        assertEquals(10, result.daysMissing());
        assertEquals(List.of("2023-04-11..2023-04-19", "2023-07-20"), result.missingRanges());
        // Daily Rh = 0.6 umol m-2 s-1 = 0.6 x 1.0368 g C m-2 d-1; measured sum over 355 days;
        // annual = mean daily x 365.25 (missing days are not filled in).
        assertEquals(0.6 * 1.0368 * 355, result.rhMeasuredGCM2(), 1e-9);
        double annual = 0.6 * 1.0368 * 365.25;
        assertEquals(annual, result.rhAnnualGCM2Yr(), 1e-9);
        assertEquals(annual / 6000, result.kPerYr(), 1e-12);
        assertEquals(6000 / annual, result.residenceTimeYr(), 1e-9);
        assertTrue(result.flags().isEmpty(), result.flags().toString());
    }

    @Test
    void shortLowCoverageSeriesIsFlagged() {
        List<DailyRespiration> days = new ArrayList<>();
        for (int d = 0; d < 60; d += 3) {
            days.add(new DailyRespiration(START.plusDays(d), 1.2, 5 + d * 0.1));
        }
        DecompositionResult result = new DecompositionCalculator(DecompositionOptions.of(6000, 1.0)).calculate(days);
        assertTrue(result.flags().contains(DecompositionFlag.SPAN_UNDER_ONE_YEAR));
        assertTrue(result.flags().contains(DecompositionFlag.LOW_COVERAGE));
        assertEquals(58 - 20, result.daysMissing()); // 20 rows over days 0..57
    }

    @Test
    void trenchedCollarsSupplyRhAndDaysWithoutThemAreMissing() {
        List<DailyRespiration> days = new ArrayList<>();
        for (int d = 0; d < 5; d++) {
            days.add(new DailyRespiration(START.plusDays(d), 3.0, 10));
        }
        var trenched = new RhPartitioning.TrenchedCollars(Map.of(
                START, 1.0, START.plusDays(1), 2.0, START.plusDays(4), 3.0));
        DecompositionResult result = new DecompositionCalculator(new DecompositionOptions(1000, trenched, 0.5))
                .calculate(days);
        assertEquals(3, result.daysMeasured());
        assertEquals(List.of("2023-01-03..2023-01-04"), result.missingRanges());
        assertEquals((1.0 + 2.0 + 3.0) * 1.0368, result.rhMeasuredGCM2(), 1e-12);
    }

    @Test
    void litterBagDecayIsExact() {
        // 10 g left 6.0 g after 1.5 years: k = -ln(0.6) / 1.5
        LitterBag bag = new LitterBag(10.0, 6.0, 1.5);
        assertEquals(-Math.log(0.6) / 1.5, bag.decayPerYr(), 1e-15);
        assertEquals(1.5 / -Math.log(0.6), bag.residenceTimeYr(), 1e-12);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new LitterBag(10, 11, 1));
        assertEquals("massRemainingG", e.field());
    }

    @Test
    void biocharPermanenceFollowsAg004() {
        // 0.52 C x 0.65 remaining x 44/12 = 1.2393 kg CO2e per kg biochar, quoted as 1.24
        assertEquals(0.52 * 0.65 * 44 / 12, BiocharPermanence.storedKgCo2ePerKg(), 1e-15);
        assertEquals(1.24, BiocharPermanence.storedKgCo2ePerKg(), 0.005);
        assertEquals(1239.3333333333, BiocharPermanence.storedKgCo2e(1000), 1e-6);
        // k = -ln(0.65)/100 = 0.00431 yr-1, and 65 % is left at 100 years by construction
        assertEquals(0.00431, BiocharPermanence.decayPerYr(), 5e-6);
        assertEquals(0.65, BiocharPermanence.fractionRemaining(100), 1e-12);
    }

    @Test
    void missingDataIsAnError() {
        var options = DecompositionOptions.of(1000, 1.0);
        assertThrows(InvalidInputException.class, () -> new DecompositionCalculator(options).calculate(List.of()));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new DailyRespiration(START, 500, 10));
        assertEquals("respirationUmolM2S", e.field());
    }
}
