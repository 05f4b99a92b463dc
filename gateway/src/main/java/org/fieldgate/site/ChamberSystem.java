package org.fieldgate.site;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.fieldgate.calc.flux.Gas;

/**
 * Automated chambers sharing one analyser, with the channels the flux calculation needs.
 *
 * @param traceGases the site file's optional {@code analyser.ch4} and {@code analyser.n2o}: trace gases fitted over
 *                   each closure beside CO2 (docs/instruments.md, "Live"); empty when none
 */
public record ChamberSystem(ChannelRef co2, ChannelRef h2o, ChannelRef temperature, ChannelRef pressure,
                            Map<Gas, ChannelRef> traceGases, ChamberSchedule schedule, List<ChamberConfig> chambers) {
    public ChamberSystem {
        chambers = List.copyOf(chambers);
        if (traceGases.containsKey(Gas.CO2)) {
            throw new IllegalArgumentException("CO2 is the analyser's co2 channel, not a trace gas");
        }
        traceGases = traceGases.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new EnumMap<>(traceGases));
    }

    /** Without trace gases (CO2 only). */
    public ChamberSystem(ChannelRef co2, ChannelRef h2o, ChannelRef temperature, ChannelRef pressure,
                         ChamberSchedule schedule, List<ChamberConfig> chambers) {
        this(co2, h2o, temperature, pressure, Map.of(), schedule, chambers);
    }
}
