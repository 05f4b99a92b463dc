package org.fieldgate.imports;

import org.fieldgate.calc.flux.Gas;
import org.fieldgate.calc.instrument.InstrumentData;
import org.fieldgate.calc.instrument.InstrumentSample;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An analyser file's samples ({@link InstrumentData}, from any reader of the {@code calc.instrument} registry) as
 * readings of one device, channel by channel, in the units the readers give (docs/instruments.md):
 * <pre>
 *   co2_dry  ppm       the dry mole fraction of each gas the file carries (ch4_dry, n2o_dry in ppb)
 *   h2o      mmol/mol  the water-vapour mole fraction, when the file has it
 *   temp     Cel       the chamber air temperature, when the file has it
 *   pressure kPa       the chamber air pressure, when the file has it
 * </pre>
 * {@code _dry} says what the value is: the exported readings' {@code co2_ppm} is a wet mole fraction that calc flux
 * corrects, these must not be corrected again. Each reading is stamped with its sample's time on the instrument's
 * clock as the reader made it an instant; a sample whose diagnostic word is not 0 gives readings flagged
 * {@link QcFlags#STATUS_WARNING} (the instrument itself says they are suspect; kept, as every flagged value is). A
 * value the file leaves out (NaN) gives no reading.
 */
final class InstrumentReadings {
    private static final Pattern NOT_A_NAME_CHAR = Pattern.compile("[^A-Za-z0-9_.-]+");

    private InstrumentReadings() {
    }

    /** The readings of {@code data}, sample by sample (so in time order per channel). */
    static List<Reading> of(InstrumentData data, String site, String device) {
        List<Reading> out = new ArrayList<>(data.samples().size() * (data.gases().size() + 3));
        for (InstrumentSample s : data.samples()) {
            long timeNs = Math.addExact(Math.multiplyExact(s.time().getEpochSecond(), 1_000_000_000L), s.time().getNano());
            int qc = s.diagnostic() != 0 ? QcFlags.STATUS_WARNING : 0;
            for (Gas g : Gas.values()) {
                Double v = s.dry().get(g);
                if (data.gases().contains(g) && v != null) {
                    add(out, site, device, g.key() + "_dry", g.moleFractionUnit(), timeNs, v, qc);
                }
            }
            add(out, site, device, "h2o", "mmol/mol", timeNs, s.h2oMmolMol(), qc);
            add(out, site, device, "temp", "Cel", timeNs, s.tempC(), qc);
            add(out, site, device, "pressure", "kPa", timeNs, s.pressureKpa(), qc);
        }
        return out;
    }

    private static void add(List<Reading> out, String site, String device, String channel, String unit, long timeNs,
                            double value, int qc) {
        if (Double.isFinite(value)) {
            out.add(new Reading(site, device, channel, unit, timeNs, value, qc));
        }
    }

    /**
     * The device name when {@code --device} gives none: the instrument's model as the file names it, made a name of
     * the wire contract ({@code LI-7810} becomes {@code li-7810}, {@code Campbell CR1000} {@code campbell-cr1000}), so
     * the files of one analyser all land on one device and a file imported again or overlapping an earlier one is
     * recognised. Two analysers of one model at a site need {@code --device}.
     */
    static String defaultDevice(InstrumentData data, String instrument) {
        String model = data.model() == null || data.model().isBlank() ? instrument : data.model();
        String name = NOT_A_NAME_CHAR.matcher(model.strip().toLowerCase(Locale.ROOT)).replaceAll("-");
        name = name.replaceAll("^-+|-+$", "");
        return name.isEmpty() ? instrument : name.length() > 64 ? name.substring(0, 64) : name;
    }
}
