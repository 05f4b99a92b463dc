package org.fieldgate.config;

import java.util.List;

/** Start-up refused: one line per bad property, each naming the property, the value and what is allowed. */
public final class InvalidSettingException extends RuntimeException {
    private final List<String> problems;

    public InvalidSettingException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
