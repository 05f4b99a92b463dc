package org.fieldgate.acquire.teros12;

import static org.fieldgate.site.DriverSettings.bool;
import static org.fieldgate.site.DriverSettings.integer;
import static org.fieldgate.site.DriverSettings.stuckRepeats;

import java.time.Duration;
import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;
import org.fieldgate.site.SensorModel;

/**
 * The TEROS 12 for the gateway: model teros12 on an SDI-12 bus. The model file's vwc channel carries the
 * mineral-soil scaling and its vwc_raw range the plausible raw counts; the gateway makes the break itself.
 */
public final class Teros12Registration implements ChipRegistration {

    @Override
    public List<String> models() {
        return List.of("teros12");
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                bool("crc", true),
                integer("response-timeout-ms", 15, 2000, "milliseconds to the first character of an answer,"
                        + " 15-2000 (the longest of a bus's probes applies)",
                        Teros12.Config.defaults().responseTimeout().toMillis()),
                stuckRepeats(10));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        var port = c.sdi12();
        SensorModel model = c.probe().model();
        SensorModel.Channel vwc = model.channel("vwc");
        SensorModel.Channel raw = model.channel("vwc_raw");
        if (vwc == null || raw == null) {
            throw new IllegalArgumentException(c.where() + ": model " + model.id()
                    + " needs channels vwc and vwc_raw (the mineral-soil scaling and the plausible raw range)");
        }
        Teros12.Config config = new Teros12.Config(c.address().charAt(0), s.bool("crc"),
                new double[] {vwc.offset(), vwc.gain()}, raw.min(), raw.max(), s.integer("stuck-repeats"), true,
                responseTimeout(s));
        return new Teros12(port, config, c.clock());
    }

    @Override
    public Duration responseTimeout(ProbeSettings s) {
        return s.millis("response-timeout-ms");
    }

    @Override
    public Stated stated(String model) {
        return new Stated(null, List.of(Teros12.VWC_RAW, Teros12.VWC, Teros12.TEMP, Teros12.EC),
                null, null);
    }
}
