package org.fieldgate.acquire.sdp8xx;

import static org.fieldgate.site.DriverSettings.bool;
import static org.fieldgate.site.DriverSettings.oneOf;
import static org.fieldgate.site.DriverSettings.stuckRepeats;

import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;

/**
 * The SDP810-500Pa for the gateway: model sdp810 on I2C, its compensation and averaging, and its driver built
 * from a probe (no flow channel: the house computes the flow from dp and the duct factor).
 */
public final class Sdp8xxRegistration implements ChipRegistration {

    @Override
    public List<String> models() {
        return List.of("sdp810");
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                oneOf("compensation", List.of("differential-pressure", "mass-flow"), "differential-pressure"),
                bool("averaging", true),
                stuckRepeats(0));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        Sdp8xx.Compensation compensation = s.text("compensation").equals("mass-flow")
                ? Sdp8xx.Compensation.MASS_FLOW : Sdp8xx.Compensation.DIFFERENTIAL_PRESSURE;
        return new Sdp8xx(c.i2c(), new Sdp8xx.Config(c.i2cAddress(), Sdp8xx.Model.SDP810_500PA, 0, compensation,
                s.bool("averaging"), c.warmUp(), s.integer("stuck-repeats")), c.clock());
    }

    @Override
    public Stated stated(String model) {
        return new Stated(Sdp8xx.WARM_UP, List.of(Sdp8xx.DP, Sdp8xx.TEMP), Sdp8xx.Config.defaults().address(),
                null);
    }
}
