package org.fieldgate.live;

import org.fieldgate.reading.Reading;

/**
 * Air temperature, pressure and water vapour in the calculators' units (degC, kPa, mmol mol-1) from the readings a
 * {@link ChannelJoin} found for a sample. Water vapour may come as relative humidity: it is then converted with the
 * saturation vapour pressure over water of Buck (1981, J. Appl. Meteorol. 20:1527, with the 1996 coefficients):
 * e_s = 0.61121 exp((18.678 - T/234.5) T / (257.14 + T)) kPa, w = RH/100 e_s / P x 1000 mmol mol-1.
 * See docs/science.md §1.2.
 */
public final class AirState {
    private AirState() {
    }

    /** The join of one temperature, pressure and (optional) water-vapour reading, in the calculators' units. */
    public static Air air(Reading rt, Reading rp, Reading rw) {
        double tempC = rt.unit().equals("K") ? rt.value() - 273.15 : rt.value();
        double h2oMmolMol = 0;
        int qc = rt.qc() | rp.qc();
        double kpa = kilopascals(rp);
        if (rw != null) {
            qc |= rw.qc();
            h2oMmolMol = switch (rw.unit()) {
                case "%RH" -> rhToMmolMol(rw.value(), tempC, kpa);
                case "umol/mol" -> rw.value() / 1000;
                default -> rw.value();
            };
        }
        return new Air(tempC, kpa, h2oMmolMol, qc);
    }

    static double kilopascals(Reading r) {
        return switch (r.unit()) {
            case "Pa" -> r.value() / 1000;
            case "hPa" -> r.value() / 10;
            default -> r.value();
        };
    }

    static double rhToMmolMol(double rhPercent, double tempC, double pressureKpa) {
        double es = 0.61121 * Math.exp((18.678 - tempC / 234.5) * tempC / (257.14 + tempC));
        return rhPercent / 100 * es / pressureKpa * 1000;
    }

    public record Air(double tempC, double pressureKpa, double h2oMmolMol, int qc) {
    }
}
