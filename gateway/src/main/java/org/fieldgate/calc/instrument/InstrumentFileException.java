package org.fieldgate.calc.instrument;

/** A file that is not what its reader expects; the message names the file, the line and the column. */
public final class InstrumentFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public InstrumentFileException(String message) {
        super(message);
    }

    /** "{@code file:line: column C: problem}"; column may be null when the whole line is wrong. */
    static InstrumentFileException at(String file, int line, String column, String problem) {
        return new InstrumentFileException(file + ":" + line + ": " + (column == null ? "" : "column " + column + ": ")
                + problem);
    }
}
