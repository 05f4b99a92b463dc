package org.fieldgate.calc.instrument;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON document with the line of every value, so that a reader's message can name the line of a bad value (the
 * LI-8200 .json file and the LI-8250 metadata.json). Values are {@code Map<String, JsonTree>} (objects, in order),
 * {@code List<JsonTree>}, String, Double, Boolean or null.
 */
final class JsonTree {
    private static final JsonFactory FACTORY = new JsonFactory();

    final int line;
    final Object value;
    /** The path from the root, e.g. {@code datasets[0].A1.reps.REP_1.header.Area}: the "column" in messages. */
    final String path;

    private JsonTree(int line, Object value, String path) {
        this.line = line;
        this.value = value;
        this.path = path;
    }

    /** Reads one whole document; {@code where} names it in messages (a file, or archive!entry). */
    static JsonTree parse(Reader in, String where) throws InstrumentFileException, IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new InstrumentFileException(where + ": empty, not a JSON document");
            }
            JsonTree root = read(p, t, "");
            if (p.nextToken() != null) {
                throw InstrumentFileException.at(where, p.currentTokenLocation().getLineNr(), null,
                        "more content after the JSON document's end");
            }
            return root;
        } catch (JsonEOFException e) {
            throw InstrumentFileException.at(where, e.getLocation().getLineNr(), null,
                    "truncated: the JSON document ends inside a value");
        } catch (JsonProcessingException e) {
            throw InstrumentFileException.at(where, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "not JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonTree read(JsonParser p, JsonToken t, String path) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        switch (t) {
            case START_OBJECT -> {
                Map<String, JsonTree> m = new LinkedHashMap<>();
                for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
                    String name = p.currentName();
                    String child = path.isEmpty() ? name : path + "." + name;
                    m.put(name, read(p, p.nextToken(), child));
                }
                return new JsonTree(line, Collections.unmodifiableMap(m), path);
            }
            case START_ARRAY -> {
                List<JsonTree> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(read(p, e, path + "[" + l.size() + "]"));
                }
                return new JsonTree(line, Collections.unmodifiableList(l), path);
            }
            case VALUE_STRING -> {
                return new JsonTree(line, p.getText(), path);
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return new JsonTree(line, p.getDoubleValue(), path);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new JsonTree(line, t == JsonToken.VALUE_TRUE, path);
            }
            default -> {
                return new JsonTree(line, null, path);
            }
        }
    }

    boolean isObject() {
        return value instanceof Map;
    }

    @SuppressWarnings("unchecked")
    Map<String, JsonTree> object(String where) throws InstrumentFileException {
        if (!(value instanceof Map)) {
            throw error(where, "is not a JSON object");
        }
        return (Map<String, JsonTree>) value;
    }

    @SuppressWarnings("unchecked")
    List<JsonTree> array(String where) throws InstrumentFileException {
        if (!(value instanceof List)) {
            throw error(where, "is not a JSON array");
        }
        return (List<JsonTree>) value;
    }

    /** The member {@code key} of this object, or null when this is not an object or has no such member. */
    @SuppressWarnings("unchecked")
    JsonTree get(String key) {
        return value instanceof Map ? ((Map<String, JsonTree>) value).get(key) : null;
    }

    /** The member {@code key}, an error naming it when it is missing. */
    JsonTree required(String where, String key) throws InstrumentFileException {
        JsonTree v = get(key);
        if (v == null || v.value == null) {
            String at = path.isEmpty() ? key : path + "." + key;
            throw InstrumentFileException.at(where, line, at, "missing");
        }
        return v;
    }

    /** A finite number; an error naming this value otherwise. */
    double number(String where) throws InstrumentFileException {
        if (value instanceof Double d && Double.isFinite(d)) {
            return d;
        }
        if (value instanceof String s) {
            try {
                double d = Double.parseDouble(s.strip());
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below with the value
            }
        }
        throw error(where, "'" + text() + "' is not a number");
    }

    /** The value as text (a string, or a number or boolean written out). */
    String text() {
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(value);
    }

    InstrumentFileException error(String where, String problem) {
        return InstrumentFileException.at(where, line, path.isEmpty() ? null : path, problem);
    }
}
