package org.fieldgate.web;

import jakarta.inject.Singleton;
import org.fieldgate.reading.Reading;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The newest committed reading of every series, for the live page. */
@Singleton
public class LatestReadings {
    private final Map<String, Reading> bySeries = new ConcurrentHashMap<>();

    public void update(List<Reading> committed) {
        for (Reading r : committed) {
            bySeries.merge(r.site() + '\u0000' + r.device() + '\u0000' + r.channel(), r,
                    (old, candidate) -> candidate.timeNs() >= old.timeNs() ? candidate : old);
        }
    }

    public List<Reading> all() {
        List<Reading> out = new ArrayList<>(bySeries.values());
        out.sort(Comparator.comparing(Reading::site).thenComparing(Reading::device).thenComparing(Reading::channel));
        return out;
    }
}
