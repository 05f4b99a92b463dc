package org.fieldgate.acquire.hardware;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ChipRegistrations;
import org.fieldgate.acquire.chip.DriverChannel;
import org.fieldgate.acquire.serial.SerialLink;
import org.fieldgate.site.ModelLoader;
import org.fieldgate.site.SensorModel;
import org.junit.jupiter.api.Test;

/**
 * Each model file in {@code firmware-config/models} says what its driver's constants say, wherever both say it:
 * the warm-up, the channels with their units and the ranges outside which values are flagged, the factory address
 * and the serial line. The model file describes the sensor for the site file; the driver flags its values; drift
 * between the two is a silent mislabelling, so it fails here naming model, field and both values.
 */
class ModelFilesAgreeWithDriversTest {
    static final Path MODELS = Path.of("..", "firmware-config", "models").toAbsolutePath().normalize();

    @Test
    void everyModelFileAgreesWithItsDriversConstants() {
        Map<String, SensorModel> models = ModelLoader.loadDir(MODELS).models();
        ChipRegistrations chips = ChipRegistrations.installed();
        List<String> drift = new ArrayList<>();
        int compared = 0;
        for (SensorModel model : models.values()) {
            ChipRegistration chip = chips.find(model.id());
            if (chip == null) {
                drift.add(model.id() + ": no chip registration serves it");
                continue;
            }
            ChipRegistration.Stated stated = chip.stated(model.id());
            String at = model.file() + " vs " + chip.getClass().getSimpleName() + ": ";
            if (stated.warmUp() != null) {
                compared++;
                Duration file = Duration.ofNanos(Math.round(model.warmupS() * 1e9));
                if (!file.equals(stated.warmUp())) {
                    drift.add(at + "warmup-s " + model.warmupS() + " s, the driver " + stated.warmUp().toMillis() / 1000.0
                            + " s");
                }
            }
            if (!stated.channels().isEmpty()) {
                compared++;
                TreeSet<String> inFile = new TreeSet<>(model.channels().stream().map(SensorModel.Channel::name).toList());
                TreeSet<String> inDriver = new TreeSet<>(stated.channels().stream().map(DriverChannel::name).toList());
                if (!inFile.equals(inDriver)) {
                    drift.add(at + "channels " + inFile + ", the driver " + inDriver);
                }
            }
            for (DriverChannel d : stated.channels()) {
                SensorModel.Channel c = model.channel(d.name());
                if (c == null) {
                    continue;
                }
                Double f = ModelChannelsProbe.factor(d.unit(), c.unit());
                if (f == null) {
                    drift.add(at + d.name() + ": unit " + c.unit() + ", the driver " + d.unit());
                    continue;
                }
                if (!close(c.min(), d.min() * f) || !close(c.max(), d.max() * f)) {
                    drift.add(at + d.name() + ": range " + c.min() + " to " + c.max() + " " + c.unit()
                            + ", the driver flags outside " + d.min() * f + " to " + d.max() * f);
                }
            }
            if (stated.defaultAddress() != null) {
                compared++;
                if (!stated.defaultAddress().equals(Integer.decode(model.defaultAddress()))) {
                    drift.add(at + "defaults.address " + model.defaultAddress() + ", the driver "
                            + stated.defaultAddress());
                }
            }
            if (stated.serial() != null) {
                compared++;
                Map<String, String> d = model.settings();
                SerialLink.Settings s = stated.serial();
                String file = d.get("baud") + " " + d.get("data-bits") + Character.toUpperCase(d.get("parity").charAt(0))
                        + d.get("stop-bits");
                String driver = s.baud() + " " + s.dataBits() + s.parity() + s.stopBits();
                if (!file.equals(driver)) {
                    drift.add(at + "defaults (baud, data-bits, parity, stop-bits) " + file + ", the driver " + driver);
                }
            }
        }
        if (compared < 20) {
            drift.add("only " + compared + " facts compared: a registration stopped stating its driver's constants?");
        }
        if (!drift.isEmpty()) {
            fail("model files that disagree with their drivers:\n" + String.join("\n", drift));
        }
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
    }
}
