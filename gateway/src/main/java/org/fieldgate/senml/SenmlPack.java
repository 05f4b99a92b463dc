package org.fieldgate.senml;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * Writes one acquisition as a SenML pack of the wire contract (firmware-config/WIRE-CONTRACT.md): base name
 * {@code <device>/}, base time in seconds to the nanosecond, one record per channel with {@code n}, {@code u},
 * {@code v}, {@code qc} when not 0 and {@code cal}.
 */
public final class SenmlPack {
    private static final JsonFactory JSON = new JsonFactory();

    /** One record of the pack. {@code timeNs} is absolute; records of one pack may have different times. */
    public record Record(String channel, String unit, double value, int qc, String calibration, long timeNs) {
    }

    private SenmlPack() {
    }

    public static String topic(String site, String device) {
        return "fieldgate/" + site + "/" + device + "/senml";
    }

    public static byte[] encode(String device, List<Record> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a SenML pack of " + device + " needs at least one record");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 96 * records.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            long baseNs = records.get(0).timeNs();
            g.writeStartArray();
            boolean first = true;
            for (Record r : records) {
                g.writeStartObject();
                if (first) {
                    g.writeStringField("bn", device + "/");
                    g.writeFieldName("bt");
                    g.writeNumber(BigDecimal.valueOf(baseNs, 9).stripTrailingZeros().toPlainString());
                    first = false;
                }
                g.writeStringField("n", r.channel());
                g.writeStringField("u", r.unit());
                g.writeNumberField("v", r.value());
                if (r.timeNs() != baseNs) {
                    g.writeFieldName("t");
                    g.writeNumber(BigDecimal.valueOf(r.timeNs() - baseNs, 9).stripTrailingZeros().toPlainString());
                }
                if (r.qc() != 0) {
                    g.writeNumberField("qc", r.qc());
                }
                if (r.calibration() != null) {
                    g.writeStringField("cal", r.calibration());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("SenML pack of " + device + " could not be written", e);
        }
        return out.toByteArray();
    }
}
