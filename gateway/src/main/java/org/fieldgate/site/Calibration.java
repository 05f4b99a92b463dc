package org.fieldgate.site;

import java.time.LocalDate;
import java.util.List;

/**
 * A versioned calibration: {@code value = c0 + c1 x + c2 x^2 + ...} applied to the model-scaled value
 * ({@code input: scaled}, the default) or to the raw value in place of the model's scaling ({@code input: raw}).
 * A correction is a new calibration with a new id and a later valid-from (optionally {@code supersedes} the old
 * id); every reading carries the id it was converted with, so a later correction can be traced and re-applied.
 *
 * @param validFrom  first day (in the site's time zone) the calibration applies to
 * @param unit       unit of the result when it differs from the model channel's unit, else null
 * @param reference  the reference used: standard gas, reference instrument, gravimetric samples, manual equation
 * @param supersedes id of the calibration this one corrects, or null
 * @param accuracy   the accuracy the calibration achieves (docs/science.md §7.1); while the calibration is in force it
 *                   replaces the model's datasheet accuracy (a calibration against a reference tightens it); null when
 *                   not stated, and the model's applies
 */
public record Calibration(String id, LocalDate validFrom, List<Double> coefficients, boolean rawInput, String unit,
                          String reference, String supersedes, Accuracy accuracy) {

    public Calibration {
        coefficients = List.copyOf(coefficients);
    }

    /** A calibration that does not state its accuracy. */
    public Calibration(String id, LocalDate validFrom, List<Double> coefficients, boolean rawInput, String unit,
                       String reference, String supersedes) {
        this(id, validFrom, coefficients, rawInput, unit, reference, supersedes, null);
    }

    /** Applies the polynomial (Horner). */
    public double apply(double x) {
        double y = 0;
        for (int i = coefficients.size() - 1; i >= 0; i--) {
            y = y * x + coefficients.get(i);
        }
        return y;
    }

    /** Of {@code calibrations} in order of valid-from, the latest one not after {@code day}; null when none is. */
    static Calibration inForceOn(List<Calibration> calibrations, LocalDate day) {
        Calibration found = null;
        for (Calibration c : calibrations) {
            if (!c.validFrom().isAfter(day)) {
                found = c;
            }
        }
        return found;
    }
}
