package org.fieldgate.acquire;

/**
 * A failed acquisition: names the chip, where it sits and why. The caller records a gap for the probe's
 * channels; the driver has already counted it and will re-initialise the chip on the next sample.
 */
public final class ProbeException extends Exception {

    /** Why the read failed. */
    public enum Cause {
        /** The chip did not acknowledge its address or a byte (absent, unpowered, busy). */
        NACK,
        /** The bus or the chip's data-ready never came. */
        TIMEOUT,
        /** A frame failed its CRC, also on the retry. */
        CRC,
        /** The chip answered with something impossible: wrong id, a config that did not stick, a skipped value. */
        BAD_RESPONSE
    }

    private final String model;
    private final String address;
    private final Cause cause;

    public ProbeException(String model, String address, Cause cause, String detail, Throwable underlying) {
        super(model + " at " + address + ": " + cause + ": " + detail, underlying);
        this.model = model;
        this.address = address;
        this.cause = cause;
    }

    public ProbeException(String model, String address, Cause cause, String detail) {
        this(model, address, cause, detail, null);
    }

    public String model() {
        return model;
    }

    public String address() {
        return address;
    }

    public Cause failure() {
        return cause;
    }
}
