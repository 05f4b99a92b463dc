package org.fieldgate.acquire.site;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fieldgate.acquire.time.ClockCorrection;
import org.fieldgate.reading.Reading;
import org.fieldgate.senml.SenmlPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the readings published while the clock was not trusted (CLOCK_UNSYNCED), so that when it becomes trusted
 * their re-dated copies (REDATED, time + the correction's offset) can be published beside them (see
 * {@link TimeKeeper}: the originals stay as they were). Bounded: beyond {@code maxKept}
 * the oldest are dropped from the buffer (not from the spool: they were published), and the correction record still
 * states the offset and range, so they can be re-dated later from it.
 */
public final class Redating {
    private static final Logger LOG = LoggerFactory.getLogger(Redating.class);

    private final int maxKept;
    private final java.util.function.Consumer<Redated> late;
    private final ArrayDeque<Reading> kept = new ArrayDeque<>();
    private long droppedFromBuffer;
    private ClockCorrection last;

    /**
     * @param late receives the re-dated copy of a reading that was stamped before a correction but handed over only
     *             after it was applied (stamped and published by a sampling thread while the sync thread corrected)
     */
    public Redating(int maxKept, java.util.function.Consumer<Redated> late) {
        this.maxKept = maxKept;
        this.late = late;
    }

    public synchronized void untrusted(Reading r) {
        if (last != null && last.covers(r)) {
            Reading d = last.redate(r);
            late.accept(new Redated(d.site(), d.device(), List.of(new SenmlPack.Record(d.channel(), d.unit(),
                    d.value(), d.qc(), d.calibration(), d.timeNs()))));
            return;
        }
        if (kept.size() >= maxKept) {
            kept.removeFirst();
            droppedFromBuffer++;
        }
        kept.addLast(r);
    }

    /** What a correction re-dates, as packs per device; the buffer is emptied of what it covered. */
    public synchronized List<Redated> apply(ClockCorrection correction) {
        last = correction;
        Map<String, List<SenmlPack.Record>> byDevice = new LinkedHashMap<>();
        Map<String, String[]> keys = new LinkedHashMap<>();
        int count = 0;
        for (var it = kept.iterator(); it.hasNext(); ) {
            Reading r = it.next();
            if (!correction.covers(r)) {
                continue;
            }
            Reading d = correction.redate(r);
            String key = d.site() + "\u0000" + d.device();
            keys.putIfAbsent(key, new String[]{d.site(), d.device()});
            byDevice.computeIfAbsent(key, k -> new ArrayList<>()).add(new SenmlPack.Record(d.channel(), d.unit(),
                    d.value(), d.qc(), d.calibration(), d.timeNs()));
            it.remove();
            count++;
        }
        if (correction.stampsRedated() > 0) {
            LOG.info("clock correction {} ns ({}): {} reading(s) re-dated and re-published; {} dropped from the "
                    + "re-dating buffer earlier (the correction record covers them)", correction.offsetNs(),
                    correction.cause(), count, droppedFromBuffer);
        }
        List<Redated> out = new ArrayList<>();
        byDevice.forEach((k, records) -> out.add(new Redated(keys.get(k)[0], keys.get(k)[1], records)));
        return out;
    }

    /** Re-dated records of one device. */
    public record Redated(String site, String device, List<SenmlPack.Record> records) {
    }

    public synchronized int size() {
        return kept.size();
    }
}
