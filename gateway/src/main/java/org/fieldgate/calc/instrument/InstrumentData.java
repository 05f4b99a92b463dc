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
 */
public record InstrumentData(String file, String model, ZoneId clockZone, Set<Gas> gases,
                             List<InstrumentSample> samples) {
    public InstrumentData {
        gases = Set.copyOf(gases);
        samples = List.copyOf(samples);
    }
}
