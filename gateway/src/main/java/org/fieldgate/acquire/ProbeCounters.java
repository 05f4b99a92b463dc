package org.fieldgate.acquire;

/**
 * What a driver has seen since it was created.
 *
 * @param samples    successful {@link Probe#sample()} calls
 * @param failures   failed ones (each raised a {@link ProbeException})
 * @param crcErrors  frames with a bad CRC, retried or not
 * @param busErrors  NACKs, timeouts and short reads
 * @param reinits    chip (re-)initialisations, the first one included
 */
public record ProbeCounters(long samples, long failures, long crcErrors, long busErrors, long reinits) {
}
