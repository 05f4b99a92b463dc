package org.fieldgate.reading;

/**
 * One value of one channel of one device at its acquisition time. This is the unit that is spooled,
 * forwarded and counted; InfluxDB keys it by measurement + (site, device, channel, unit) + timeNs.
 *
 * @param timeNs acquisition time, ns since the epoch (stamped by the probe or driver, never by the gateway's receipt)
 * @param qc     quality-control bit flags, 0 = clean (see {@link QcFlags})
 */
public record Reading(String site, String device, String channel, String unit, long timeNs, double value, int qc) {
}
