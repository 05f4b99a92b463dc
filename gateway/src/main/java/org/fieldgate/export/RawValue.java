package org.fieldgate.export;

import java.util.List;
import org.fieldgate.site.Calibration;
import org.fieldgate.site.ChannelConfig;

/**
 * A reading's value before the site's calibration: what the driver reported in the sensor model's unit. Readings carry
 * only the converted value and the id of the calibration that converted it, so the export recovers the driver's value
 * by inverting that calibration. Exact for the model's own scaling ({@code model:<id>}, nothing to undo) and for linear
 * calibrations; a polynomial of higher degree has no unique inverse, so its raw value is left empty and
 * calibrations.csv gives its coefficients.
 */
final class RawValue {
    private RawValue() {
    }

    /** @return the model-scaled value, or null when it cannot be recovered */
    static Double beforeCalibration(double value, String calibrationId, ChannelConfig channel, Calibration calibration) {
        if (calibrationId.startsWith("model:")) {
            return value;
        }
        if (calibration == null) {
            return null;
        }
        List<Double> c = calibration.coefficients();
        if (c.size() != 2 || c.get(1) == 0) {
            return null;
        }
        double x = (value - c.get(0)) / c.get(1);
        // input: raw means the calibration replaced the model's scaling, so the driver's value is the model's scaling of x
        return calibration.rawInput() ? channel.model().scale(x) : x;
    }
}
