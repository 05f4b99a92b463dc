package org.fieldgate.bench;

import java.nio.charset.StandardCharsets;

/**
 * The ceiling client's InfluxDB 1.x line-protocol encoder: the point the gateway's forwarder writes (measurement
 * {@code reading}, tags {@code site device channel unit}, fields {@code value} float and {@code qc} integer, ns time).
 * Escaping per the InfluxDB 1.x line-protocol reference: commas, spaces and equals signs in tag keys and values.
 */
final class LineProtocol {
    private LineProtocol() {
    }

    /** Appends one point and a newline. */
    static StringBuilder append(StringBuilder out, String site, String device, String channel, String unit, double value,
                                long qc, long timeNs) {
        out.append("reading,site=");
        tag(out, site).append(",device=");
        tag(out, device).append(",channel=");
        tag(out, channel).append(",unit=");
        tag(out, unit).append(" value=");
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("value of " + device + "/" + channel + " is " + value + ": line protocol has no such float");
        }
        out.append(value).append(",qc=").append(qc).append("i ").append(timeNs).append('\n');
        return out;
    }

    static StringBuilder tag(StringBuilder out, String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty tag value: line protocol drops such a tag");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' || c == ' ' || c == '=') {
                out.append('\\');
            }
            out.append(c);
        }
        return out;
    }

    static byte[] bytes(StringBuilder body) {
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
