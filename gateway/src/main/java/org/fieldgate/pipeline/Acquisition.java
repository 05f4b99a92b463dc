package org.fieldgate.pipeline;

import org.fieldgate.acquire.chamber.LidActuator;
import org.fieldgate.acquire.hardware.HardwareProbeFactory;
import org.fieldgate.acquire.site.AcquisitionStage;
import org.fieldgate.acquire.site.SimulatedProbes;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.site.SiteConfig;

/**
 * The gateway's own probes, as {@link AcquisitionBuilder} made them. {@code stage}: null when the gateway acquires
 * nothing (no site files, or fieldgate.acquire.mode off); {@code simulated} or {@code hardware}: the probe factory
 * in use, null for the other (both null without a stage).
 */
public record Acquisition(TimeKeeper time, AcquisitionStage stage, SimulatedProbes simulated,
                          HardwareProbeFactory hardware) {

    /** The lid actuator of a site's chambers, or null when the gateway does not drive them. */
    public LidActuator lids(SiteConfig site) {
        return simulated != null ? simulated.lids(site) : hardware != null ? hardware.lids(site) : null;
    }
}
