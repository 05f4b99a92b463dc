package org.fieldgate.calc;

/**
 * A value handed to a calculator that it cannot use. Carries the field's name (as the record names it) and the
 * offending value, so a caller reading a file can point at the line and column it came from.
 */
public final class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String value;
    private final String requirement;

    public InvalidInputException(String field, Object value, String requirement) {
        super(field + " " + requirement + ", got " + value);
        this.field = field;
        this.value = String.valueOf(value);
        this.requirement = requirement;
    }

    /** The field's name as the record spells it, e.g. {@code co2Ppm}. */
    public String field() {
        return field;
    }

    /** The offending value as text. */
    public String value() {
        return value;
    }

    /** What the value must satisfy, e.g. {@code must be > 0}. */
    public String requirement() {
        return requirement;
    }
}
