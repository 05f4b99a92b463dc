package org.fieldgate.site;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * A validated site file ({@code firmware-config/sites/<id>.yaml}).
 *
 * @param chambers    null when the site has no automated chambers
 * @param house       null when the site is not a mineralisation house
 * @param remoteNodes nodes that publish over MQTT by themselves, with their channels' units
 * @param lorawan     LoRaWAN applications whose uplinks are this site's and their field maps; null when none
 */
public record SiteConfig(String id, String name, double latitude, double longitude, Double elevationM, ZoneId timezone,
                         Map<String, BusConfig> buses, List<ProbeConfig> probes, Map<String, Calibration> calibrations,
                         ChamberSystem chambers, HouseConfig house, String file, List<RemoteNode> remoteNodes,
                         LorawanMapping lorawan) {

    public SiteConfig {
        remoteNodes = List.copyOf(remoteNodes);
    }

    /** A site without LoRaWAN applications. */
    public SiteConfig(String id, String name, double latitude, double longitude, Double elevationM, ZoneId timezone,
                      Map<String, BusConfig> buses, List<ProbeConfig> probes, Map<String, Calibration> calibrations,
                      ChamberSystem chambers, HouseConfig house, String file, List<RemoteNode> remoteNodes) {
        this(id, name, latitude, longitude, elevationM, timezone, buses, probes, calibrations, chambers, house, file,
                remoteNodes, null);
    }

    /** A site without remote nodes. */
    public SiteConfig(String id, String name, double latitude, double longitude, Double elevationM, ZoneId timezone,
                      Map<String, BusConfig> buses, List<ProbeConfig> probes, Map<String, Calibration> calibrations,
                      ChamberSystem chambers, HouseConfig house, String file) {
        this(id, name, latitude, longitude, elevationM, timezone, buses, probes, calibrations, chambers, house, file,
                List.of());
    }

    /** The unit this file declares for {@code channel} of {@code device} (a probe or a remote node), or null. */
    public String declaredUnit(String device, String channel) {
        ProbeConfig p = probe(device);
        if (p != null) {
            ChannelConfig c = p.channel(channel);
            return c == null ? null : c.unit();
        }
        for (RemoteNode node : remoteNodes) {
            if (node.id().equals(device)) {
                return node.channelUnits().get(channel);
            }
        }
        return null;
    }

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
