package org.fieldgate.site;

import java.time.LocalDate;
import java.util.List;

/**
 * One channel a probe publishes: a channel of its model, possibly renamed, with the calibrations that convert it.
 *
 * @param name         published SenML channel name (the model channel's name unless the site renames it)
 * @param unit         published unit (the calibration's unit when it sets one, else the model channel's)
 * @param calibrations calibrations in order of valid-from; the latest one not after a reading's date applies
 */
public record ChannelConfig(SensorModel.Channel model, String name, String unit, List<Calibration> calibrations) {

    public ChannelConfig {
        calibrations = List.copyOf(calibrations);
    }

    /** The calibration in force on {@code day}, or null (model scaling only). */
    public Calibration calibrationOn(LocalDate day) {
        return Calibration.inForceOn(calibrations, day);
    }

    /** A converted value and the id of what converted it ({@code model:<model-id>} when no calibration applied). */
    public record Converted(double value, String unit, String calibrationId) {
    }

    /**
     * A driver's value, already scaled by the model's equation (as every driver reports it), to the published value
     * on {@code day}, naming the calibration used. A calibration on raw input gets the raw value back through the
     * inverse of the model's linear scaling.
     */
    public Converted convertScaled(double scaled, LocalDate day, String modelId) {
        Calibration c = calibrationOn(day);
        if (c == null) {
            return new Converted(scaled, model.unit(), "model:" + modelId);
        }
        double x = c.rawInput() ? (scaled - model.offset()) / model.gain() : scaled;
        return new Converted(c.apply(x), c.unit() != null ? c.unit() : model.unit(), c.id());
    }

    /** Raw value to published value on {@code day}, naming the calibration used. */
    public Converted convert(double raw, LocalDate day, String modelId) {
        Calibration c = calibrationOn(day);
        if (c == null) {
            return new Converted(model.scale(raw), model.unit(), "model:" + modelId);
        }
        double x = c.rawInput() ? raw : model.scale(raw);
        return new Converted(c.apply(x), c.unit() != null ? c.unit() : model.unit(), c.id());
    }
}
