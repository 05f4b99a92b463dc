package org.fieldgate.acquire.site;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.senml.SenmlPack;
import org.fieldgate.site.ChannelConfig;
import org.fieldgate.site.ProbeConfig;

/**
 * Turns a driver's measurements (model channel names and units) into the site's published records: the site's
 * channel name, the calibration in force on the acquisition's local date (site time zone) and its id. Channels the
 * site disabled are dropped here; a unit the driver reports differently from its model file is converted when the
 * two are the same quantity (Pa and kPa) and otherwise refused, so a wrong scale never reaches InfluxDB unnoticed.
 */
final class ChannelMapper {
    private final ProbeConfig probe;
    private final ZoneId zone;
    private final Map<String, ChannelConfig> byModelChannel = new HashMap<>();

    ChannelMapper(ProbeConfig probe, ZoneId zone) {
        this.probe = probe;
        this.zone = zone;
        for (ChannelConfig c : probe.channels()) {
            byModelChannel.put(c.model().name(), c);
        }
    }

    /** The published records of one acquisition; problems with single channels go to {@code problems}. */
    List<SenmlPack.Record> map(List<Measurement> measured, long timeNs, int timeQc, List<String> problems) {
        LocalDate day = Instant.ofEpochSecond(0, timeNs).atZone(zone).toLocalDate();
        List<SenmlPack.Record> out = new ArrayList<>(measured.size());
        for (Measurement m : measured) {
            ChannelConfig c = byModelChannel.get(m.channel());
            if (c == null) {
                continue; // disabled in the site file, or a diagnostic channel the site does not publish
            }
            double scaled = inModelUnit(m, c.model().unit());
            if (Double.isNaN(scaled)) {
                problems.add(probe.id() + " " + m.channel() + ": driver reports '" + m.unit() + "', model file says '"
                        + c.model().unit() + "'");
                continue;
            }
            ChannelConfig.Converted v = c.convertScaled(scaled, day, probe.model().id());
            int qc = m.qc() | timeQc;
            if (!Double.isFinite(v.value())) {
                problems.add(probe.id() + " " + c.name() + ": calibration " + v.calibrationId() + " gives "
                        + v.value() + " for " + scaled + " " + c.model().unit());
                continue;
            }
            if (v.calibrationId().startsWith("model:") && !c.model().inRange(v.value())) {
                qc |= QcFlags.OUT_OF_RANGE;
            }
            out.add(new SenmlPack.Record(c.name(), v.unit(), v.value(), qc, v.calibrationId(), timeNs));
        }
        return out;
    }

    /** Published channel names of this probe, for gap records. */
    List<String> channels() {
        List<String> names = new ArrayList<>();
        for (ChannelConfig c : probe.channels()) {
            names.add(c.name());
        }
        return names;
    }

    private static double inModelUnit(Measurement m, String modelUnit) {
        if (m.unit().equals(modelUnit)) {
            return m.value();
        }
        if (m.unit().equals("Pa") && modelUnit.equals("kPa")) {
            return m.value() / 1000;
        }
        if (m.unit().equals("kPa") && modelUnit.equals("Pa")) {
            return m.value() * 1000;
        }
        return Double.NaN;
    }
}
