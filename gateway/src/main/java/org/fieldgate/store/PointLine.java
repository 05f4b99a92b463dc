package org.fieldgate.store;

/**
 * A derived result (flux, closure, rate, gap) as InfluxDB line protocol, waiting in the spool like a reading.
 *
 * @param id          spool row id (0 before it is committed)
 * @param measurement the line's measurement, for counting and inspection
 * @param timeNs      the line's timestamp, ns
 * @param line        one line of InfluxDB line protocol with its ns timestamp
 */
public record PointLine(long id, String measurement, long timeNs, String line) {
    public PointLine {
        if (line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a point line must be one line: " + line);
        }
    }

    public static PointLine of(String measurement, long timeNs, String line) {
        return new PointLine(0, measurement, timeNs, line);
    }
}
