package org.fieldgate.acquire.sdm;

import static org.fieldgate.site.DriverSettings.responseTimeoutMs;
import static org.fieldgate.site.DriverSettings.stuckRepeats;

import java.time.Duration;
import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.DriverChannel;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;

/** The Eastron SDM120 and SDM630 for the gateway: two models on a Modbus RTU bus, one driver. */
public final class SdmEnergyMeterRegistration implements ChipRegistration {

    @Override
    public List<String> models() {
        return List.of("sdm120", "sdm630");
    }

    @Override
    public List<Setting> settings() {
        return List.of(responseTimeoutMs(SdmEnergyMeter.Config.defaults(SdmEnergyMeter.Variant.SDM120)
                .responseTimeout().toMillis()), stuckRepeats(10));
    }

    private static SdmEnergyMeter.Variant variant(String model) {
        return model.equals("sdm120") ? SdmEnergyMeter.Variant.SDM120 : SdmEnergyMeter.Variant.SDM630;
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        return new SdmEnergyMeter(c.modbus(), new SdmEnergyMeter.Config(variant(c.probe().model().id()),
                Integer.parseInt(c.address()), responseTimeout(s), s.integer("stuck-repeats")), c.clock());
    }

    @Override
    public Duration responseTimeout(ProbeSettings s) {
        return s.millis("response-timeout-ms");
    }

    @Override
    public Stated stated(String model) {
        SdmEnergyMeter.Variant v = variant(model);
        List<DriverChannel> channels = v.parameters.stream()
                .map(p -> new DriverChannel(p.channel(), p.unit(), p.min(), p.max())).toList();
        return new Stated(null, channels, SdmEnergyMeter.DEFAULT_SLAVE, v.defaultSerial);
    }
}
