package org.fieldgate.calc.decomposition;

import java.time.LocalDate;
import java.util.Map;
import org.fieldgate.calc.Require;

/**
 * How heterotrophic respiration Rh is obtained from the chamber's soil respiration Rs (docs/science.md §2.1):
 * a configured fraction, or a series measured on trenched (root-exclusion) collars.
 */
public sealed interface RhPartitioning {

    /** Rh for the day, umol m-2 s-1, given the measured Rs; NaN when the day has no Rh. */
    double rhUmolM2S(LocalDate date, double rsUmolM2S);

    /** A short description for reports. */
    String describe();

    /** Rh = fraction x Rs, for a series of total soil respiration Rs. */
    record Fraction(double rhFraction) implements RhPartitioning {
        public Fraction {
            Require.within("rhFraction", rhFraction, 1e-9, 1);
        }

        @Override
        public double rhUmolM2S(LocalDate date, double rsUmolM2S) {
            return rhFraction * rsUmolM2S;
        }

        @Override
        public String describe() {
            return "Rh = " + rhFraction + " x Rs";
        }
    }

    /**
     * The series already is Rh (a column of heterotrophic respiration, e.g. from trenched collars): used as it is.
     * A fraction is never applied to it; a fraction partitions Rs only (docs/science.md §2.1).
     */
    record Measured(String column) implements RhPartitioning {
        public Measured {
            Require.present("column", column);
        }

        @Override
        public double rhUmolM2S(LocalDate date, double rhUmolM2S) {
            return rhUmolM2S;
        }

        @Override
        public String describe() {
            return "Rh measured (" + column + "), no fraction applied";
        }
    }

    /**
     * Rh measured on trenched collars, by date. A day without a trenched measurement has no Rh (it counts as
     * missing); the control collar's Rs is not scaled to fill it, because the Rh/Rs ratio changes with season.
     */
    record TrenchedCollars(Map<LocalDate, Double> rhByDateUmolM2S) implements RhPartitioning {
        public TrenchedCollars {
            Require.present("rhByDateUmolM2S", rhByDateUmolM2S);
            rhByDateUmolM2S = Map.copyOf(rhByDateUmolM2S);
        }

        @Override
        public double rhUmolM2S(LocalDate date, double rsUmolM2S) {
            Double rh = rhByDateUmolM2S.get(date);
            return rh == null ? Double.NaN : rh;
        }

        @Override
        public String describe() {
            return "Rh from trenched collars (" + rhByDateUmolM2S.size() + " days)";
        }
    }
}
