package org.fieldgate.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * What InfluxDB answered to a write or a statement that was not 2xx, or that it could not be reached; {@link #kind()}
 * says what the forwarder does about it. The message is InfluxDB's own {@code error} text when the answer carries
 * one (what a quarantined reading keeps as its reason), else the answer's first 500 characters.
 */
final class InfluxException extends RuntimeException {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_CHARS = 500;

    enum Kind {
        /** The body's content: halved down to the readings refused and those quarantined. */
        CONTENT,
        /** User, password or token refused: backoff, never "assume the database exists". */
        AUTHORIZATION,
        /** No such database: CREATE DATABASE before the next write. */
        DATABASE_NOT_FOUND,
        /** Anything else InfluxDB (or a proxy before it) answered, 5xx included: backoff. */
        SERVER,
        /** No answer at all (connect, read or timeout): backoff, ended early by a ping that answers. */
        UNREACHABLE
    }

    private final Kind kind;
    private final int status;

    private InfluxException(Kind kind, int status, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
    }

    Kind kind() {
        return kind;
    }

    /** The HTTP status, 0 when there was no answer. */
    int status() {
        return status;
    }

    boolean isContentError() {
        return kind == Kind.CONTENT;
    }

    static InfluxException unreachable(String what, IOException cause) {
        return new InfluxException(Kind.UNREACHABLE, 0, what + ": " + cause, cause);
    }

    /**
     * Classifies a non-2xx answer (or a 2xx statement answer with an {@code error}) by InfluxDB's error text, with the
     * rules influxdb-java 2.25 used ({@code InfluxDBException.buildExceptionFromErrorMessage}) plus the content errors
     * this gateway always counted as such; a 401 or 403 is an authorization failure whatever its text (InfluxDB 2.x
     * answers a bad token with {@code {"code":"unauthorized",...}}).
     */
    static InfluxException answered(int status, String body) {
        String message = errorText(body);
        if (message.isEmpty()) {
            message = "HTTP " + status;
        }
        return new InfluxException(kindOf(status, message), status, message, null);
    }

    static Kind kindOf(int status, String message) {
        if (message.contains("database not found")) {
            return Kind.DATABASE_NOT_FOUND;
        }
        if (message.contains("points beyond retention policy") || message.contains("field type conflict")
                || message.contains("unable to parse") || message.contains("partial write")
                || message.contains("max-values-per-tag") || message.contains("invalid field")
                || message.contains("invalid tag")) {
            return Kind.CONTENT;
        }
        if (status == 401 || status == 403 || message.contains("authorization failed")
                || message.contains("username required") || message.contains("user is required")
                || message.contains("user is not authorized")) {
            return Kind.AUTHORIZATION;
        }
        return Kind.SERVER;
    }

    /** InfluxDB's {@code {"error":"..."}} text; a body that is not such JSON as it is (cut at 500 characters). */
    static String errorText(String body) {
        String trimmed = body.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode answer = JSON.readTree(trimmed);
                JsonNode error = answer.get("error");
                if (error != null && error.isTextual()) {
                    return error.asText();
                }
                JsonNode message = answer.get("message"); // InfluxDB 2.x: {"code":..,"message":..}
                if (message != null && message.isTextual()) {
                    return message.asText();
                }
            } catch (IOException e) {
                // not JSON after all: the text itself is the best reason there is
            }
        }
        return trimmed.length() > MAX_BODY_CHARS ? trimmed.substring(0, MAX_BODY_CHARS) : trimmed;
    }
}
