package org.fieldgate.site;

/**
 * One problem in a site or sensor-model file, printed as {@code file:line: field: value 'x': what is allowed}
 * ({@code file:line: field: missing: what is allowed} when a required field is absent).
 *
 * @param file    the file as it was named to the checker
 * @param line    1-based line of the offending key or value (of the enclosing mapping for a missing field)
 * @param field   dotted path of the field, sequence items by 0-based index: {@code probes[2].address}
 * @param value   the offending value as written, or {@code null} when the field is missing
 * @param allowed what would have been accepted, and why the value was not
 */
public record ConfigError(String file, int line, String field, String value, String allowed)
        implements Comparable<ConfigError> {

    @Override
    public String toString() {
        String v = value == null ? "missing" : "value '" + value + "'";
        return file + ":" + line + ": " + field + ": " + v + ": " + allowed;
    }

    @Override
    public int compareTo(ConfigError o) {
        int c = file.compareTo(o.file);
        return c != 0 ? c : Integer.compare(line, o.line);
    }
}
