package org.fieldgate.acquire.serial;

/** What a shared serial bus (a Modbus RTU master, an SDI-12 port) counts for the probes on it. */
public interface BusErrorCounts {
    /** Answers whose CRC did not match. */
    long crcErrors();

    /** Timeouts, framing errors and other failed transactions. */
    long busErrors();
}
