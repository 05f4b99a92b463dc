package org.fieldgate.calc.instrument;

import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.fieldgate.calc.flux.Gas;

/**
 * What a reader found in one file.
 *
 * @param file      the file as the user named it
 * @param model     the instrument model the file names (e.g. "LI-7810")
 * @param clockZone the zone of the instrument's local clock (the file's or --timezone's), null when unknown
 * @param gases     the gases the file carries
 * @param samples   records in file order, times strictly increasing
 * @param closures  the closures the file records itself (LI-8100A, LI-8200, LI-8250), in file order; empty for
 *                  files that need CLOSURES.csv
 */
public record InstrumentData(String file, String model, ZoneId clockZone, Set<Gas> gases,
                             List<InstrumentSample> samples, List<InstrumentClosure> closures) {
    public InstrumentData {
        gases = Set.copyOf(gases);
        samples = List.copyOf(samples);
        closures = List.copyOf(closures);
    }

    /** A file that records no closures of its own. */
    public InstrumentData(String file, String model, ZoneId clockZone, Set<Gas> gases,
                          List<InstrumentSample> samples) {
        this(file, model, clockZone, gases, samples, List.of());
    }
}
