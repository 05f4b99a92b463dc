package org.fieldgate.calc.cli;

/** Bad usage of a calc command: the message is printed with the command's usage, exit 64. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
