package org.fieldgate.calc.instrument;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What the LGR, EGM-5 and Picarro readers share: reading the file, a cell as a number, the time order check. */
final class RecordCells {
    private RecordCells() {
    }

    /** All lines of the file (UTF-8, any line ending); a missing or unreadable file is one error line. */
    static List<String> lines(Path path, String file) throws InstrumentFileException {
        try {
            return Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InstrumentFileException(file + ": no such file");
        } catch (IOException e) {
            throw new InstrumentFileException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** The cell as a finite number, else an error naming file, line, column and the cell. */
    static double number(String file, int line, String column, String cell) throws InstrumentFileException {
        String v = cell.strip();
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below with the cell
        }
        throw InstrumentFileException.at(file, line, column, "'" + abbreviate(v) + "' is not a number");
    }

    /** Times must strictly increase: a step back (or a repeat) is a clock step, never silently re-ordered. */
    static void after(String file, int line, String column, String shown, Instant t, InstrumentSample previous)
            throws InstrumentFileException {
        if (previous != null && !t.isAfter(previous.time())) {
            throw InstrumentFileException.at(file, line, column, shown + " is "
                    + (t.equals(previous.time()) ? "the same as" : "before") + " line " + previous.line() + "'s "
                    + previous.time() + ": time went backwards (clock step?)");
        }
    }

    /** Comma separated cells, each stripped of the padding the analysers write. */
    static List<String> commaCells(String text) {
        List<String> cells = new ArrayList<>();
        for (String c : text.split(",", -1)) {
            cells.add(c.strip());
        }
        return cells;
    }

    /** A record with more or fewer cells than its header names: truncated (power lost mid-line) or garbled. */
    static void cellCount(String file, int line, int cells, int expected, String what)
            throws InstrumentFileException {
        if (cells != expected) {
            throw InstrumentFileException.at(file, line, null, (cells < expected ? "truncated: " : "too many cells: ")
                    + cells + " of " + expected + " cells" + what);
        }
    }

    static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
