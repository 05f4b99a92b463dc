package org.fieldgate.calc.instrument;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.fieldgate.calc.flux.Gas;

/**
 * One chamber closure as the instrument recorded it itself (LI-8100A, LI-8200-01S, LI-8250): when the lid closed,
 * the dead band and observation length it used, and its own geometry (docs/instruments.md, docs/science.md §1.9).
 *
 * @param id           the observation as the instrument names it (LI-8100A {@code Obs#}, LI-8200 "ID tag/REP_n",
 *                     LI-8250 the archive's name)
 * @param where        where the observation is described, for messages ("file:line" or "archive!entry")
 * @param closed       the instant the chamber was closed (elapsed time 0)
 * @param deadBandS    the instrument's dead band after closing, s
 * @param observationS elapsed time of the end of the observation window after closing, s
 * @param volumeCm3    total system volume (chamber + collar offset x area + analyser and tubing), cm3
 * @param areaCm2      soil area, cm2
 * @param gases        the gases to fit in this closure; empty = every gas the file carries
 * @param warnings     warning records the instrument wrote inside this observation (LI-8100A type -1)
 */
public record InstrumentClosure(String id, String where, Instant closed, double deadBandS, double observationS,
                                double volumeCm3, double areaCm2, Set<Gas> gases, int warnings) {
    public InstrumentClosure {
        gases = Set.copyOf(gases);
    }

    /** t0: the end of the dead band, where the flux is the slope. */
    public Instant start() {
        return closed.plus(Duration.ofNanos(Math.round(deadBandS * 1e9)));
    }

    /** The end of the observation window (inclusive). */
    public Instant end() {
        return closed.plus(Duration.ofNanos(Math.round(observationS * 1e9)));
    }
}
