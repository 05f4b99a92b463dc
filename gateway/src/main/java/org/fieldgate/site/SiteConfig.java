package org.fieldgate.site;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * A validated site file ({@code firmware-config/sites/<id>.yaml}).
 *
 * @param chambers null when the site has no automated chambers
 * @param house    null when the site is not a mineralisation house
 */
public record SiteConfig(String id, String name, double latitude, double longitude, Double elevationM, ZoneId timezone,
                         Map<String, BusConfig> buses, List<ProbeConfig> probes, Map<String, Calibration> calibrations,
                         ChamberSystem chambers, HouseConfig house, String file) {

    public ProbeConfig probe(String id) {
        for (ProbeConfig p : probes) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        return null;
    }

    public int channelCount() {
        return probes.stream().mapToInt(p -> p.channels().size()).sum();
    }
}
