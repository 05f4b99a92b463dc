package org.fieldgate.calc.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The calc commands' JSON lines and the number format of their messages. */
final class CliJson {
    private final ObjectMapper mapper = new ObjectMapper();

    ObjectNode createObjectNode() {
        return mapper.createObjectNode();
    }

    String write(ObjectNode n) {
        try {
            return mapper.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** JSON has no NaN: an undefined number is written as null. */
    static void put(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    /** A whole number without ".0", anything else as Java prints a double. */
    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
