package org.fieldgate.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One table of an export: CSV (RFC 4180, a header line, UTF-8, LF line ends; empty cell = no value) or JSON Lines
 * (one object per row, the same names, null = no value). Numbers are written as Java prints them, so the same data
 * gives the same bytes on every run.
 */
final class TableFile implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** How an export writes its tables. */
    enum Format {
        CSV("csv", ".csv"), JSON("json", ".jsonl");

        final String label;
        final String extension;

        Format(String label, String extension) {
            this.label = label;
            this.extension = extension;
        }

        static Format of(String label) {
            for (Format f : values()) {
                if (f.label.equals(label)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("format '" + label + "': expected csv or json");
        }
    }

    private final Format format;
    private final List<String> columns;
    private final BufferedWriter out;
    private long rows;

    TableFile(Path file, Format format, List<String> columns) throws IOException {
        this.format = format;
        this.columns = List.copyOf(columns);
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        if (format == Format.CSV) {
            for (int i = 0; i < columns.size(); i++) {
                out.write(i == 0 ? "" : ",");
                out.write(csv(columns.get(i)));
            }
            out.write('\n');
        }
    }

    void row(List<?> values) throws IOException {
        if (values.size() != columns.size()) {
            throw new IllegalArgumentException(values.size() + " values for " + columns.size() + " columns " + columns);
        }
        if (format == Format.CSV) {
            for (int i = 0; i < values.size(); i++) {
                out.write(i == 0 ? "" : ",");
                Object v = values.get(i);
                out.write(v == null ? "" : csv(String.valueOf(v)));
            }
        } else {
            var node = JSON.createObjectNode();
            for (int i = 0; i < values.size(); i++) {
                node.set(columns.get(i), JSON.valueToTree(values.get(i)));
            }
            out.write(JSON.writeValueAsString(node));
        }
        out.write('\n');
        rows++;
    }

    long rows() {
        return rows;
    }

    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Data rows of a table file as written here: CSV records (newlines inside quotes do not count) less the header. */
    static long countRows(Path file, Format format) throws IOException {
        long records = 0;
        boolean quoted = false;
        boolean pending = false;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (format == Format.CSV && b == '"') {
                        quoted = !quoted;
                    }
                    if (b == '\n' && !quoted) {
                        records++;
                        pending = false;
                    } else {
                        pending = true;
                    }
                }
            }
        }
        if (pending) {
            records++;
        }
        return format == Format.CSV ? Math.max(0, records - 1) : records;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
