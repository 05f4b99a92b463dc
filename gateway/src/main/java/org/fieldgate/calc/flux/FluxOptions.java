package org.fieldgate.calc.flux;

import org.fieldgate.calc.Require;

/**
 * How closures are fitted and checked (docs/science.md §1.4-§1.7). Build with {@link #builder()}; every field has a
 * default stated on its builder method.
 *
 * @param deadBandS                 seconds after the first sample before fitting starts (lid settling, mixing)
 * @param observationS              length of the fitted window after the dead band, s
 * @param r2Threshold               chosen fit's R2 below this raises {@link FluxQc#LOW_R2}
 * @param analyserPrecisionPpm      analyser's CO2 precision (1 sigma), ppm, for the minimum detectable flux
 * @param ambientCo2Ppm             site's expected ambient C' at lid closing, ppm; NaN = not checked
 * @param ambientTolerancePpm       allowed distance from the ambient expectation, ppm
 * @param maxTempDriftC             allowed temperature range during a closure, degC
 * @param maxPressureDriftKpa       allowed pressure range during a closure, kPa
 * @param minPoints                 fewer samples in the window raise {@link FluxQc#TOO_FEW_POINTS}
 * @param maxGapS                   largest allowed spacing of samples in the window, s; NaN = 3 x median spacing
 * @param dropTolerancePpm          how far C' may move against the closure's direction before
 *                                  {@link FluxQc#CO2_DROPS}; NaN = 5 x analyser precision
 * @param curvatureTStat            |a| / SE(a) needed to call the exponential's curvature significant
 * @param maxCurvatureTimesWindow   a x window length above this is {@link FluxQc#CURVATURE_OUT_OF_RANGE}
 */
public record FluxOptions(double deadBandS, double observationS, double r2Threshold, double analyserPrecisionPpm,
                          double ambientCo2Ppm, double ambientTolerancePpm, double maxTempDriftC,
                          double maxPressureDriftKpa, int minPoints, double maxGapS, double dropTolerancePpm,
                          double curvatureTStat, double maxCurvatureTimesWindow) {

    public FluxOptions {
        Require.nonNegative("deadBandS", deadBandS);
        Require.positive("observationS", observationS);
        Require.within("r2Threshold", r2Threshold, 0, 1);
        Require.nonNegative("analyserPrecisionPpm", analyserPrecisionPpm);
        Require.nonNegativeOrNaN("ambientCo2Ppm", ambientCo2Ppm);
        Require.nonNegative("ambientTolerancePpm", ambientTolerancePpm);
        Require.nonNegative("maxTempDriftC", maxTempDriftC);
        Require.nonNegative("maxPressureDriftKpa", maxPressureDriftKpa);
        Require.atLeast("minPoints", minPoints, 3);
        if (!Double.isNaN(maxGapS)) {
            Require.positive("maxGapS", maxGapS);
        }
        Require.nonNegativeOrNaN("dropTolerancePpm", dropTolerancePpm);
        Require.positive("curvatureTStat", curvatureTStat);
        Require.positive("maxCurvatureTimesWindow", maxCurvatureTimesWindow);
    }

    public static FluxOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.deadBandS = deadBandS;
        b.observationS = observationS;
        b.r2Threshold = r2Threshold;
        b.analyserPrecisionPpm = analyserPrecisionPpm;
        b.ambientCo2Ppm = ambientCo2Ppm;
        b.ambientTolerancePpm = ambientTolerancePpm;
        b.maxTempDriftC = maxTempDriftC;
        b.maxPressureDriftKpa = maxPressureDriftKpa;
        b.minPoints = minPoints;
        b.maxGapS = maxGapS;
        b.dropTolerancePpm = dropTolerancePpm;
        b.curvatureTStat = curvatureTStat;
        b.maxCurvatureTimesWindow = maxCurvatureTimesWindow;
        return b;
    }

    /** The tolerance actually used for {@link FluxQc#CO2_DROPS}. */
    public double effectiveDropTolerancePpm() {
        return Double.isNaN(dropTolerancePpm) ? 5 * analyserPrecisionPpm : dropTolerancePpm;
    }

    /** Builder with the defaults; each setter says its default. */
    public static final class Builder {
        private double deadBandS = 20;
        private double observationS = 120;
        private double r2Threshold = 0.90;
        private double analyserPrecisionPpm = 1.0;
        private double ambientCo2Ppm = 420;
        private double ambientTolerancePpm = 100;
        private double maxTempDriftC = 1.0;
        private double maxPressureDriftKpa = 0.1;
        private int minPoints = 10;
        private double maxGapS = Double.NaN;
        private double dropTolerancePpm = Double.NaN;
        private double curvatureTStat = 2.0;
        private double maxCurvatureTimesWindow = 10.0;

        private Builder() {
        }

        /** Default 20 s (LI-COR suggests 10-30 s). */
        public Builder deadBandS(double v) {
            deadBandS = v;
            return this;
        }

        /** Default 120 s (typical 60-180 s). */
        public Builder observationS(double v) {
            observationS = v;
            return this;
        }

        /** Default 0.90, common for CO2. */
        public Builder r2Threshold(double v) {
            r2Threshold = v;
            return this;
        }

        /** Default 1 ppm (LI-8100A class NDIR at ambient CO2). */
        public Builder analyserPrecisionPpm(double v) {
            analyserPrecisionPpm = v;
            return this;
        }

        /** Default 420 ppm; NaN turns the ambient check off. */
        public Builder ambientCo2Ppm(double v) {
            ambientCo2Ppm = v;
            return this;
        }

        /** Default 100 ppm: broad, because air near the soil surface at night is well above free-air ambient. */
        public Builder ambientTolerancePpm(double v) {
            ambientTolerancePpm = v;
            return this;
        }

        /** Default 1.0 degC. */
        public Builder maxTempDriftC(double v) {
            maxTempDriftC = v;
            return this;
        }

        /** Default 0.1 kPa (100 Pa; pressure pumping on windy days). */
        public Builder maxPressureDriftKpa(double v) {
            maxPressureDriftKpa = v;
            return this;
        }

        /** Default 10. */
        public Builder minPoints(int v) {
            minPoints = v;
            return this;
        }

        /** Default NaN: 3 x the median sample spacing in the window. */
        public Builder maxGapS(double v) {
            maxGapS = v;
            return this;
        }

        /** Default NaN: 5 x the analyser precision. */
        public Builder dropTolerancePpm(double v) {
            dropTolerancePpm = v;
            return this;
        }

        /** Default 2 (about 95 % two-sided). */
        public Builder curvatureTStat(double v) {
            curvatureTStat = v;
            return this;
        }

        /** Default 10: beyond that the curve is flat after the first tenth of the window. */
        public Builder maxCurvatureTimesWindow(double v) {
            maxCurvatureTimesWindow = v;
            return this;
        }

        public FluxOptions build() {
            return new FluxOptions(deadBandS, observationS, r2Threshold, analyserPrecisionPpm, ambientCo2Ppm,
                    ambientTolerancePpm, maxTempDriftC, maxPressureDriftKpa, minPoints, maxGapS, dropTolerancePpm,
                    curvatureTStat, maxCurvatureTimesWindow);
        }
    }
}
