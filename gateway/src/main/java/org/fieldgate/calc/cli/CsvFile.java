package org.fieldgate.calc.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.fieldgate.calc.InvalidInputException;

/**
 * A small CSV reader for the offline calculators: a header row naming the columns (any order, extra columns
 * ignored), comma-separated cells, double quotes around a cell that holds a comma, blank lines and lines starting
 * with '#' skipped. Every error names the file, the line (1-based, header = line 1 unless comments precede it)
 * and the column, e.g. {@code closures.csv:17: column co2_ppm: 'abc' is not a number}.
 *
 * <p>Empty cells and NA / NaN / null mean "not measured" and read as NaN; anything else that is not a plain
 * decimal number is an error.
 */
public final class CsvFile {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private final String name;
    private final Map<String, Integer> columns;
    private final List<Row> rows;

    /** A data row with its line number. */
    public record Row(int line, List<String> cells) {
    }

    /** An error in the input file, its message already naming file, line and column. */
    public static final class InputException extends Exception {
        private static final long serialVersionUID = 1L;

        public InputException(String message) {
            super(message);
        }
    }

    private CsvFile(String name, Map<String, Integer> columns, List<Row> rows) {
        this.name = name;
        this.columns = columns;
        this.rows = rows;
    }

    /**
     * Reads the file; {@code displayName} is how errors name it (the path as the user gave it).
     * Fails when any of the required columns is missing from the header.
     */
    public static CsvFile read(Path path, String displayName, List<String> required) throws InputException {
        List<Row> rows = new ArrayList<>();
        Map<String, Integer> columns = null;
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                String trimmed = text.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                List<String> cells = split(text, displayName, line);
                if (columns == null) {
                    columns = new HashMap<>();
                    for (int i = 0; i < cells.size(); i++) {
                        String column = cells.get(i).strip().toLowerCase(java.util.Locale.ROOT);
                        if (columns.putIfAbsent(column, i) != null) {
                            throw new InputException(displayName + ":" + line + ": column " + column
                                    + " appears twice in the header");
                        }
                    }
                    for (String r : required) {
                        if (!columns.containsKey(r)) {
                            throw new InputException(displayName + ":" + line + ": missing column " + r
                                    + " (the header has: " + String.join(", ", cells) + ")");
                        }
                    }
                    continue;
                }
                if (cells.size() != columns.size()) {
                    throw new InputException(displayName + ":" + line + ": " + cells.size()
                            + " cells, but the header has " + columns.size() + " columns");
                }
                rows.add(new Row(line, cells));
            }
        } catch (NoSuchFileException e) {
            throw new InputException(displayName + ": no such file");
        } catch (MalformedInputException e) {
            throw new InputException(displayName + ": not UTF-8 text");
        } catch (IOException e) {
            throw new InputException(displayName + ": cannot read: " + e.getMessage());
        }
        if (columns == null) {
            throw new InputException(displayName + ": empty file (no header row)");
        }
        return new CsvFile(displayName, columns, rows);
    }

    public String name() {
        return name;
    }

    public List<Row> rows() {
        return rows;
    }

    public boolean hasColumn(String column) {
        return columns.containsKey(column);
    }

    /** The cell's text, stripped. */
    public String text(Row row, String column) {
        return row.cells().get(columns.get(column)).strip();
    }

    /** A required text cell. */
    public String requiredText(Row row, String column) throws InputException {
        String v = text(row, column);
        if (v.isEmpty()) {
            throw error(row, column, "is empty");
        }
        return v;
    }

    /** The cell as a number; NaN for an empty cell or NA / NaN / null. */
    public double number(Row row, String column) throws InputException {
        String v = text(row, column);
        if (isMissing(v)) {
            return Double.NaN;
        }
        if (!NUMBER.matcher(v).matches()) {
            throw error(row, column, "'" + v + "' is not a number");
        }
        double d = Double.parseDouble(v);
        if (Double.isInfinite(d)) {
            throw error(row, column, "'" + v + "' is out of range");
        }
        return d;
    }

    /** The cell as a number that must be present. */
    public double requiredNumber(Row row, String column) throws InputException {
        double d = number(row, column);
        if (Double.isNaN(d)) {
            throw error(row, column, "is empty (a value is required here)");
        }
        return d;
    }

    /** The cell as an ISO date (yyyy-mm-dd). */
    public LocalDate date(Row row, String column) throws InputException {
        String v = requiredText(row, column);
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw error(row, column, "'" + v + "' is not a date (yyyy-mm-dd)");
        }
    }

    /** An error naming this file, the row's line and the column. */
    public InputException error(Row row, String column, String problem) {
        return new InputException(name + ":" + row.line() + ": column " + column + ": " + problem);
    }

    /**
     * An error for a value a calculator rejected, e.g.
     * {@code house.csv:9: column flow_m3_s: '-2' must be between 0.0 and 10000.0}.
     */
    public InputException rejected(Row row, String column, InvalidInputException e) {
        return error(row, column, "'" + text(row, column) + "' " + e.requirement());
    }

    private static boolean isMissing(String v) {
        return v.isEmpty() || v.equalsIgnoreCase("na") || v.equalsIgnoreCase("nan") || v.equalsIgnoreCase("null");
    }

    private static List<String> split(String text, String name, int line) throws InputException {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new InputException(name + ":" + line + ": unterminated quote");
        }
        cells.add(cell.toString());
        return cells;
    }
}
