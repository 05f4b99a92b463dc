package org.fieldgate.reading;

/**
 * One value of one channel of one device at its acquisition time. This is the unit that is spooled,
 * forwarded and counted; InfluxDB keys it by measurement + (site, device, channel, unit[, cal]) + timeNs.
 *
 * @param timeNs      acquisition time, ns since the epoch (stamped by the probe or driver, never by the gateway's receipt)
 * @param qc          quality-control bit flags, 0 = clean (see {@link QcFlags})
 * @param calibration id of the calibration the value was converted with ({@code model:<model>} for the sensor model's
 *                    own scaling), or null when the source does not say (a remote node that sends no {@code cal})
 */
public record Reading(String site, String device, String channel, String unit, long timeNs, double value, int qc,
                      String calibration) {

    /** A reading whose source names no calibration. */
    public Reading(String site, String device, String channel, String unit, long timeNs, double value, int qc) {
        this(site, device, channel, unit, timeNs, value, qc, null);
    }
}
