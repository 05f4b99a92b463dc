package org.fieldgate.testkit;

import java.util.Map;

/** The parsed JSON of GET /api/status. {@code raw} keeps the whole object for failure messages. */
public record GatewayStatus(
        boolean brokerConnected,
        long spoolDepth,
        double oldestUndeliveredAgeS,
        long spoolBytes,
        long spoolMaxBytes,
        boolean spoolFull,
        boolean influxReachable,
        long deadLetters,
        long ingested,
        long delivered,
        long quarantined,
        Map<String, Object> raw) {

    static GatewayStatus from(Map<String, Object> json) {
        return new GatewayStatus(
                bool(json, "brokerConnected"),
                number(json, "spoolDepth").longValue(),
                number(json, "oldestUndeliveredAgeS").doubleValue(),
                number(json, "spoolBytes").longValue(),
                number(json, "spoolMaxBytes").longValue(),
                bool(json, "spoolFull"),
                bool(json, "influxReachable"),
                number(json, "deadLetters").longValue(),
                number(json, "ingested").longValue(),
                number(json, "delivered").longValue(),
                number(json, "quarantined").longValue(),
                json);
    }

    private static Number number(Map<String, Object> json, String field) {
        Object value = json.get(field);
        if (value instanceof Number n) {
            return n;
        }
        throw new AssertionError("/api/status field '" + field + "' should be a number but is " + value + " in " + json);
    }

    private static boolean bool(Map<String, Object> json, String field) {
        Object value = json.get(field);
        if (value instanceof Boolean b) {
            return b;
        }
        throw new AssertionError("/api/status field '" + field + "' should be a boolean but is " + value + " in " + json);
    }

    @Override
    public String toString() {
        return String.valueOf(raw);
    }
}
