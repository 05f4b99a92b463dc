package org.fieldgate.site;

import java.util.Map;

/**
 * A node that publishes over MQTT on its own (site file {@code remote-nodes}): its MQTT device name and the unit of
 * each channel, for nodes whose SenML records carry no unit (LwM2M nodes such as Eclipse Leshan clients).
 *
 * @param channelUnits published channel name to its SenML unit
 * @param line         line of the node in the site file
 */
public record RemoteNode(String id, Map<String, String> channelUnits, int line) {

    public RemoteNode {
        channelUnits = Map.copyOf(channelUnits);
    }
}
