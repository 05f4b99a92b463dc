package org.fieldgate.acquire.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeCounters;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.site.SensorModel;

/**
 * Holds a driver to the {@code ProbeFactory} contract: every measurement is a channel its sensor model declares,
 * in the model's unit. A driver that reports in a different SI multiple of the same quantity (the BME280's
 * compensation formula gives Pa, the bme280 model publishes kPa) is converted exactly; any other mismatch (a
 * channel the model lacks, an unrelated unit) fails the sample with {@code BAD_RESPONSE}, so a factory or model
 * slip shows up as a gap with a reason rather than as a wrongly labelled series.
 */
public final class ModelChannelsProbe implements Probe {
    /** Exact factors between units of one quantity: value in {@code to} = value in {@code from} x factor. */
    private static final Map<String, Double> FACTORS = Map.of(
            "Pa>kPa", 1e-3, "Pa>hPa", 1e-2, "hPa>kPa", 1e-1, "kPa>Pa", 1e3, "hPa>Pa", 1e2, "kPa>hPa", 10.0,
            "W>kW", 1e-3, "kW>W", 1e3, "Wh>kWh", 1e-3, "kWh>Wh", 1e3);

    private final Probe driver;
    private final SensorModel model;

    public ModelChannelsProbe(Probe driver, SensorModel model) {
        this.driver = driver;
        this.model = model;
    }

    /** The factor from {@code from} to {@code to}, 1 for the same unit, null when they are not one quantity. */
    static Double factor(String from, String to) {
        return from.equals(to) ? Double.valueOf(1) : FACTORS.get(from + ">" + to);
    }

    @Override
    public String model() {
        return driver.model();
    }

    @Override
    public String address() {
        return driver.address();
    }

    @Override
    public List<Measurement> sample() throws ProbeException {
        List<Measurement> values = driver.sample();
        List<Measurement> out = new ArrayList<>(values.size());
        for (Measurement m : values) {
            SensorModel.Channel c = model.channel(m.channel());
            if (c == null) {
                throw new ProbeException(model(), address(), ProbeException.Cause.BAD_RESPONSE, "driver channel '"
                        + m.channel() + "' is not a channel of model " + model.id());
            }
            Double f = factor(m.unit(), c.unit());
            if (f == null) {
                throw new ProbeException(model(), address(), ProbeException.Cause.BAD_RESPONSE, "driver unit '"
                        + m.unit() + "' of " + m.channel() + " does not convert to the model's " + c.unit());
            }
            out.add(f == 1 ? m : new Measurement(m.channel(), c.unit(), m.value() * f, m.qc()));
        }
        return out;
    }

    @Override
    public ProbeCounters counters() {
        return driver.counters();
    }

    @Override
    public void close() {
        driver.close();
    }
}
