package org.fieldgate.senml;

/**
 * The units the site files declare for the channels of their devices (probes and {@code remote-nodes}), for SenML
 * records that carry no unit: LwM2M nodes, Eclipse Leshan among them, keep units in their object model, not on the wire.
 */
@FunctionalInterface
public interface DeclaredUnits {
    DeclaredUnits NONE = (site, device, channel) -> null;

    /** The declared unit of {@code channel} of {@code device} at {@code site}, or null when no site file declares it. */
    String unitOf(String site, String device, String channel);
}
