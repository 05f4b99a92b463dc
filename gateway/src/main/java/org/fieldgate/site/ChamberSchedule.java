package org.fieldgate.site;

/**
 * One measurement of one chamber: lid closing, dead band, observation window, lid opening, purge. The chambers are
 * measured one after another on the shared analyser, and all of them once per cycle.
 */
public record ChamberSchedule(double closeS, double deadBandS, double observationS, double openS, double purgeS,
                              double cycleS) {

    /** Seconds one chamber occupies the analyser. */
    public double slotS() {
        return closeS + deadBandS + observationS + openS + purgeS;
    }
}
