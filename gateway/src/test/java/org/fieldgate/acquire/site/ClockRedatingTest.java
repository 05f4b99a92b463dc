package org.fieldgate.acquire.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.fieldgate.acquire.time.Clocks;
import org.fieldgate.acquire.time.FakeClockSyncSource;
import org.fieldgate.acquire.time.SyncStatus;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.live.LivePoints;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.PointLine;
import org.fieldgate.testkit.Poll;
import org.fieldgate.senml.SenmlDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Pi boots a day behind (fake-hwclock), samples, then NTP steps the clock and reports sync: every reading taken
 * before is published again re-dated by the step (REDATED, CLOCK_UNSYNCED cleared), the originals stay, the correction
 * is recorded, and readings from then on are clean.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClockRedatingTest {
    private static final long DAY_NS = 86_400_000_000_000L;

    /** The real monotonic clock, with a wall clock that is a day behind until the test steps it. */
    static final class BehindClocks implements Clocks {
        volatile long behindNs = DAY_NS;

        @Override
        public long wallNs() {
            return EpochNanos.now() - behindNs;
        }

        @Override
        public long monotonicNs() {
            return System.nanoTime();
        }

        @Override
        public String bootId() {
            return "boot-1";
        }
    }

    @Test
    void readingsBeforeSyncAreRepublishedRedatedAndTheCorrectionIsRecorded() {
        SiteConfig site = ExampleSites.onlyProbe(ExampleSites.soil(), "soil-co2-10cm", 0.1);
        BehindClocks clocks = new BehindClocks();
        FakeClockSyncSource sync = new FakeClockSyncSource();
        TimeKeeper time = new TimeKeeper(clocks);
        SenmlDecoder decoder = new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 2 * DAY_NS);
        List<Reading> published = new CopyOnWriteArrayList<>();
        List<PointLine> points = new CopyOnWriteArrayList<>();
        AcquisitionStage stage = new AcquisitionStage(List.of(site),
                ProbePollerTest.factory(new ProbePollerTest.FlakyProbe(0, 0)), time, sync, Duration.ofMillis(50),
                (topic, senml) -> published.addAll(decoder.decode(topic, senml, EpochNanos.now()).readings()),
                (s, d, c, f, l, n, cause) -> { }, c -> points.add(LivePoints.clockCorrection(c)));
        stage.start();
        Poll.until("5 unsynchronised acquisitions", Duration.ofSeconds(20), () -> published.size() >= 10);
        clocks.behindNs = 0;                               // NTP steps the clock ...
        sync.set(SyncStatus.State.SYNCHRONISED);           // ... and says so
        Poll.until("a clean reading after sync, and the correction recorded", Duration.ofSeconds(20),
                () -> published.stream().anyMatch(r -> r.qc() == 0) && !points.isEmpty());
        stage.close();

        List<Reading> originals = new ArrayList<>();
        List<Reading> redated = new ArrayList<>();
        List<Reading> clean = new ArrayList<>();
        for (Reading r : published) {
            if ((r.qc() & QcFlags.REDATED) != 0) {
                redated.add(r);
            } else if ((r.qc() & QcFlags.CLOCK_UNSYNCED) != 0) {
                originals.add(r);
            } else {
                clean.add(r);
            }
        }
        assertTrue(originals.size() >= 10, "originals " + originals.size());
        assertEquals(originals.size(), redated.size(), "one re-dated copy per original");
        assertEquals(1, points.size(), points.toString());
        PointLine correction = points.get(0);
        assertEquals("clock_correction", correction.measurement());
        long offset = Long.parseLong(correction.line().replaceAll(".*offset_ns=(-?\\d+)i.*", "$1"));
        assertTrue(Math.abs(offset - DAY_NS) < 2_000_000_000L, "offset " + offset + " ns is the one-day step");
        for (int i = 0; i < originals.size(); i++) {
            Reading o = originals.get(i);
            Reading d = redated.stream().filter(r -> r.timeNs() == o.timeNs() + offset && r.channel()
                    .equals(o.channel())).findFirst().orElseThrow(() -> new AssertionError("no copy of " + o));
            assertEquals(o.value(), d.value());
            assertEquals(o.calibration(), d.calibration());
            assertEquals(QcFlags.REDATED, d.qc() & QcFlags.TIME_MASK);
        }
        long now = EpochNanos.now();
        for (Reading r : clean) {
            assertTrue(Math.abs(now - r.timeNs()) < 30_000_000_000L, "clean reading stamped at the true time");
        }
    }
}
