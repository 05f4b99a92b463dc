package org.fieldgate.forward;

import org.fieldgate.reading.Reading;
import org.influxdb.dto.Point;

import java.util.concurrent.TimeUnit;

/** influxdb-java's {@link Point} of a reading: the reference the line encoder is checked and benchmarked against. */
final class InfluxPoints {
    private InfluxPoints() {
    }

    static Point reading(Reading r) {
        Point.Builder p = Point.measurement(InfluxLines.READING)
                .time(r.timeNs(), TimeUnit.NANOSECONDS)
                .tag("site", r.site())
                .tag("device", r.device())
                .tag("channel", r.channel())
                .tag("unit", r.unit());
        if (r.calibration() != null) {
            p.tag("cal", r.calibration());
        }
        return p.addField("value", r.value()).addField("qc", (long) r.qc()).build();
    }
}
