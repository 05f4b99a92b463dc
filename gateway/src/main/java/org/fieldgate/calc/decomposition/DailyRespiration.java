package org.fieldgate.calc.decomposition;

import java.time.LocalDate;
import org.fieldgate.calc.Require;

/**
 * One day's mean respiration and temperature (docs/science.md §2.2).
 *
 * @param date                 the day
 * @param respirationUmolM2S   the day's mean flux, umol CO2 m-2 s-1: total soil respiration Rs, or already
 *                             heterotrophic Rh, depending on the partitioning; NaN = not measured that day
 * @param tempC                the day's mean soil (or air) temperature, degC; NaN = not measured
 */
public record DailyRespiration(LocalDate date, double respirationUmolM2S, double tempC) {
    public DailyRespiration {
        Require.present("date", date);
        if (!Double.isNaN(respirationUmolM2S)) {
            // Wide bounds: they catch unit slips (g C m-2 d-1 vs umol m-2 s-1 differ only by 1.04, but mg or
            // per-hour figures do not), not physiology.
            Require.within("respirationUmolM2S", respirationUmolM2S, -50, 200);
        }
        if (!Double.isNaN(tempC)) {
            Require.within("tempC", tempC, -45, 60);
        }
    }
}
