package org.fieldgate.acquire.gpio;

import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.chamber.LidActuator;

import java.util.Map;

/**
 * The chamber sequencer's {@link LidActuator} on top of one {@link LidControl} (a {@link RelayOutput}) per chamber.
 * A request the relay refuses for its minimum dwell is an actuator failure here: the sequencer asked for a
 * movement that did not happen, so it must abort or annotate the closure rather than fit a chamber left open.
 */
public final class RelayLidActuator implements LidActuator {
    private final Map<String, ? extends LidControl> lids;

    /** @param lids chamber id to its lid */
    public RelayLidActuator(Map<String, ? extends LidControl> lids) {
        this.lids = Map.copyOf(lids);
    }

    @Override
    public void close(String chamberId) throws ProbeException {
        check(chamberId, lid(chamberId).closeLid(), "close");
    }

    @Override
    public void open(String chamberId) throws ProbeException {
        check(chamberId, lid(chamberId).openLid(), "open");
    }

    private LidControl lid(String chamberId) {
        LidControl lid = lids.get(chamberId);
        if (lid == null) {
            throw new IllegalArgumentException("no lid relay configured for chamber '" + chamberId + "'");
        }
        return lid;
    }

    private static void check(String chamberId, LidControl.Outcome outcome, String what) {
        if (outcome == LidControl.Outcome.TOO_SOON) {
            throw new IllegalStateException("lid of chamber '" + chamberId + "' refused to " + what
                    + ": minimum dwell since its last movement not over");
        }
    }
}
