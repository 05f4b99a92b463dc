package org.fieldgate.acquire.gpio;

import org.fieldgate.acquire.ProbeException;

/** Opening and closing a chamber lid, as a flux measurement cycle needs it. */
public interface LidControl {

    /** What a request did. */
    enum Outcome {
        /** The output changed; the lid is travelling for the configured actuation time. */
        SWITCHED,
        /** The lid was already where it was asked to be. */
        UNCHANGED,
        /** Refused: the last change is more recent than the minimum dwell (protects relay, motor and seal). */
        TOO_SOON
    }

    Outcome closeLid() throws ProbeException;

    Outcome openLid() throws ProbeException;

    /** Whether the output is driven to "closed", read back from the line. */
    boolean lidClosed() throws ProbeException;

    /** Whether the actuation time since the last change has passed (the lid has finished travelling). */
    boolean settled();
}
