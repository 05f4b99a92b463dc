package org.fieldgate.calc.instrument;

import java.time.DateTimeException;
import java.time.ZoneId;

/** Cell parsing shared by the readers: every failure names the file, line, column and the value. */
final class Cells {
    private Cells() {
    }

    /** A finite number, or an error "{@code where:line: column C: 'v' is not a number}". */
    static double number(String where, int line, String column, String v) throws InstrumentFileException {
        String s = v == null ? "" : v.strip();
        try {
            double d = Double.parseDouble(s);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below with the cell
        }
        throw InstrumentFileException.at(where, line, column, "'" + abbreviate(s) + "' is not a number");
    }

    /**
     * The zone a file names for its clock; an error when it is not a zone or differs from {@code --timezone}
     * (a file that names its zone is read in it, so a different option is a mistake, not an override).
     */
    static ZoneId fileZone(String where, int line, String column, String value, ZoneId option)
            throws InstrumentFileException {
        ZoneId z;
        try {
            z = ZoneId.of(value.strip());
        } catch (DateTimeException e) {
            throw InstrumentFileException.at(where, line, column, "'" + abbreviate(value) + "' is not a time-zone name");
        }
        if (option != null && !option.normalized().equals(z.normalized())) {
            throw InstrumentFileException.at(where, line, column, "the file's clock is in " + z
                    + " but --timezone says " + option + "; leave --timezone out for files that name their zone");
        }
        return z;
    }

    static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
