package org.fieldgate.acquire;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.senml.SenmlUnits;

/**
 * One value a driver read, ready to become a SenML record ({@code n}, {@code u}, {@code v}, {@code qc}).
 *
 * @param channel SenML name characters, e.g. {@code co2}
 * @param unit    a unit the gateway accepts ({@link SenmlUnits#KNOWN})
 * @param value   finite, in {@code unit}
 * @param qc      the driver's source bits of {@link QcFlags}, 0-255 (the gateway owns the bits above)
 */
public record Measurement(String channel, String unit, double value, int qc) {
    public Measurement {
        if (channel == null || !channel.matches("[A-Za-z0-9][A-Za-z0-9:./_-]{0,127}")) {
            throw new IllegalArgumentException("channel '" + channel + "' is not a SenML name");
        }
        if (!SenmlUnits.KNOWN.contains(unit)) {
            throw new IllegalArgumentException("unit '" + unit + "' of " + channel + " is not a known SenML unit");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(channel + " = " + value + " is not finite");
        }
        if ((qc & ~QcFlags.SOURCE_MASK) != 0) {
            throw new IllegalArgumentException("qc " + qc + " of " + channel + " uses bits above the source byte");
        }
    }

    public Measurement withQc(int moreQc) {
        return new Measurement(channel, unit, value, qc | moreQc);
    }

    public boolean has(int flag) {
        return (qc & flag) != 0;
    }
}
