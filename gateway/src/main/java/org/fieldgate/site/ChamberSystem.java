package org.fieldgate.site;

import java.util.List;

/** Automated chambers sharing one analyser, with the channels the flux calculation needs. */
public record ChamberSystem(ChannelRef co2, ChannelRef h2o, ChannelRef temperature, ChannelRef pressure,
                            ChamberSchedule schedule, List<ChamberConfig> chambers) {
    public ChamberSystem {
        chambers = List.copyOf(chambers);
    }
}
