package org.fieldgate.site;

import java.util.List;
import org.fieldgate.calc.Uncertainty;

/**
 * A channel's accuracy as its datasheet states it (docs/science.md §7.1, §7.5), in the channel's unit. Every figure is
 * a limit (+-, as printed); the calculators read it as the half-width of a rectangular distribution (/ sqrt 3).
 *
 * <p>Random parts differ from sample to sample (repeatability, noise) and average down over a window; systematic
 * parts (a calibration offset, a gain error) are one error for a whole window. A datasheet "+-(30 ppm + 3 % of
 * reading)" is {@code systematic: 30, of-reading-pct: 3}; a repeatability "+-10 ppm" is {@code random: 10}.
 *
 * @param random               random part, absolute, channel unit
 * @param randomOfReadingPct   random part, % of reading
 * @param systematic           systematic part, absolute (offset), channel unit
 * @param ofReadingPct         systematic part, % of reading (gain)
 * @param source               the datasheet and its section or table the figures come from
 */
public record Accuracy(double random, double randomOfReadingPct, double systematic, double ofReadingPct,
                       String source) {
    /** The YAML keys of an {@code accuracy:} block (model channels and site calibrations). */
    static final List<String> KEYS = List.of("random", "random-of-reading-pct", "systematic", "of-reading-pct",
            "source");

    /** Standard uncertainty of the random part at {@code reading}. */
    public double randomStandard(double reading) {
        return Uncertainty.fromLimit(random + Math.abs(reading) * randomOfReadingPct / 100);
    }

    /** Standard uncertainty of the systematic part at {@code reading} (offset and gain added, as datasheets do). */
    public double systematicStandard(double reading) {
        return Uncertainty.fromLimit(systematic + Math.abs(reading) * ofReadingPct / 100);
    }

    /** Relative standard uncertainty of the gain alone (what a slope or a ratio sees). */
    public double gainRelStandard() {
        return Uncertainty.fromLimit(ofReadingPct / 100);
    }
}
