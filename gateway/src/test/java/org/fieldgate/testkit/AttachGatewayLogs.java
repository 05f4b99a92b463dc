package org.fieldgate.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * JUnit extension: when a test fails, the failure message gets the last 60 lines of every gateway still open,
 * so a plain assertEquals on a count explains itself without digging through target/it-work.
 */
public final class AttachGatewayLogs implements TestExecutionExceptionHandler {
    static final String MARKER = "---- last 60 lines of ";

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        String message = String.valueOf(failure.getMessage());
        if (message.contains(MARKER)) {
            throw failure; // already carries the log (GatewayProcess.failure or Poll diagnostics)
        }
        StringBuilder logs = new StringBuilder();
        for (GatewayProcess gateway : GatewayProcess.open()) {
            logs.append('\n').append(gateway.logTail());
        }
        if (logs.length() == 0) {
            throw failure;
        }
        AssertionError withLogs = new AssertionError(failure.getClass().getSimpleName() + ": " + message + logs, failure);
        withLogs.setStackTrace(failure.getStackTrace());
        throw withLogs;
    }
}
