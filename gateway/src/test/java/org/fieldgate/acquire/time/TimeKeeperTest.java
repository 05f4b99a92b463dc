package org.fieldgate.acquire.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;

class TimeKeeperTest {
    static final long S = 1_000_000_000L;
    /** What fake-hwclock restored at boot: the last shutdown, three days before the true time. */
    static final long WRONG_BOOT_WALL = Instant.parse("2025-06-01T08:00:00Z").getEpochSecond() * S;
    static final long TRUE_BOOT_WALL = Instant.parse("2025-06-04T09:30:00Z").getEpochSecond() * S;
    static final long BOOT_MONO = 12 * S; // the gateway starts 12 s after the kernel

    final FakeClocks clocks = new FakeClocks(WRONG_BOOT_WALL, BOOT_MONO, "boot-a");
    final List<ClockJump> jumps = new ArrayList<>();
    final TimeKeeper keeper = new TimeKeeper(clocks, Duration.ofSeconds(2), 1000, jumps::add);

    private List<AcquisitionStamp> stampEvery(Duration step, int n) {
        List<AcquisitionStamp> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(keeper.stamp());
            clocks.advance(step);
        }
        return out;
    }

    @Test
    void bootWithoutSyncFlagsEveryStampAndKeepsTheWrongClock() {
        assertTrue(keeper.observeSync(SyncStatus.unsynchronised("fake")).isEmpty());
        List<AcquisitionStamp> s = stampEvery(Duration.ofSeconds(2), 30);
        for (int i = 0; i < s.size(); i++) {
            AcquisitionStamp a = s.get(i);
            assertEquals(QcFlags.CLOCK_UNSYNCED, a.qc(), QcFlags.describe(a.qc()));
            assertEquals(WRONG_BOOT_WALL + i * 2 * S, a.wallNs());
            assertEquals(a.systemWallNs(), a.wallNs());
            assertEquals(BOOT_MONO + i * 2 * S, a.monotonicNs());
            assertEquals("boot-a", a.bootId());
        }
        assertFalse(keeper.trusted());
        assertEquals(30, keeper.pending());
        // UNKNOWN (no source answered) is not trust either
        assertTrue(keeper.observeSync(SyncStatus.unknown("none")).isEmpty());
        assertFalse(keeper.trusted());
    }

    @Test
    void laterSyncRedatesExactlyFromTheMonotonicOffsetAndRecordsTheCorrection() {
        List<AcquisitionStamp> before = stampEvery(Duration.ofSeconds(2), 50); // 100 s unsynced
        // NTP arrives: timesyncd steps the wall clock to the true time (now = true boot wall + 100 s)
        long trueNow = TRUE_BOOT_WALL + 100 * S;
        clocks.setWall(trueNow);
        Optional<ClockCorrection> c = keeper.observeSync(SyncStatus.synchronised("fake"));
        assertTrue(c.isPresent());
        ClockCorrection k = c.get();
        long syncMono = BOOT_MONO + 100 * S;
        assertEquals("boot-a", k.bootId());
        assertEquals(trueNow - (WRONG_BOOT_WALL + (syncMono - BOOT_MONO)), k.offsetNs());
        assertEquals(TRUE_BOOT_WALL - WRONG_BOOT_WALL, k.offsetNs());
        assertEquals(50, k.stampsRedated());
        assertEquals(trueNow, k.syncWallNs());
        assertEquals(syncMono, k.syncMonotonicNs());
        assertEquals("boot-unsynced", k.cause());
        assertEquals(50, k.redated().size());
        for (int i = 0; i < 50; i++) {
            AcquisitionStamp orig = before.get(i);
            AcquisitionStamp r = k.redated().get(i);
            assertEquals(trueNow - (syncMono - orig.monotonicNs()), r.wallNs());
            assertEquals(orig.wallNs() + k.offsetNs(), r.wallNs());
            assertEquals(TRUE_BOOT_WALL + i * 2 * S, r.wallNs());
            assertEquals(QcFlags.REDATED, r.qc());
            assertEquals(orig.monotonicNs(), r.monotonicNs());
        }
        // the step that sync made is not reported as a jump at the next stamp; stamps are now clean
        clocks.advance(Duration.ofSeconds(2));
        AcquisitionStamp after = keeper.stamp();
        assertEquals(0, after.qc());
        assertEquals(trueNow + 2 * S, after.wallNs());
        assertTrue(after.wallNs() > k.redated().get(49).wallNs());
        assertTrue(keeper.trusted());
        assertEquals(0, keeper.pending());
        // a second synchronised report changes nothing
        assertTrue(keeper.observeSync(SyncStatus.synchronised("fake")).isEmpty());
    }

    @Test
    void correctionRedatesPublishedReadingsAsCopies() {
        AcquisitionStamp a = keeper.stamp();
        clocks.advance(Duration.ofSeconds(5));
        clocks.setWall(TRUE_BOOT_WALL + 5 * S);
        ClockCorrection k = keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        Reading original = new Reading("site", "analyser", "co2", "ppm", a.wallNs(), 415.5, 2 | a.qc());
        assertTrue(k.covers(original));
        Reading copy = k.redate(original);
        assertEquals(TRUE_BOOT_WALL, copy.timeNs());
        assertEquals(2 | QcFlags.REDATED, copy.qc()); // source bits kept, CLOCK_UNSYNCED cleared
        assertEquals(415.5, copy.value());
        assertFalse(k.covers(copy));
        Reading clean = new Reading("site", "analyser", "co2", "ppm", a.wallNs(), 1, 0);
        assertThrows(IllegalArgumentException.class, () -> k.redate(clean));
    }

    @Test
    void forwardDayJumpWhileSyncedIsDetectedFlaggedAndHasNoInflatedInterval() {
        clocks.setWall(TRUE_BOOT_WALL);
        keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        List<AcquisitionStamp> s = new ArrayList<>(stampEvery(Duration.ofSeconds(2), 5));
        clocks.jumpWall(Duration.ofDays(1));
        s.addAll(stampEvery(Duration.ofSeconds(2), 5));
        assertEquals(1, jumps.size());
        assertEquals(Duration.ofDays(1).toNanos(), jumps.get(0).jumpNs());
        assertTrue(jumps.get(0).wasTrusted());
        for (int i = 0; i < 5; i++) {
            assertEquals(0, s.get(i).qc());
        }
        for (int i = 5; i < 10; i++) {
            assertEquals(QcFlags.CLOCK_UNSYNCED | QcFlags.CLOCK_JUMP, s.get(i).qc(), QcFlags.describe(s.get(i).qc()));
            assertEquals(s.get(i).systemWallNs() - Duration.ofDays(1).toNanos(), s.get(i).wallNs());
        }
        assertIntervalsAreTheMonotonicOnes(s);
        // NTP puts the clock back: the jump back is seen, sync re-anchors with ~zero offset
        clocks.jumpWall(Duration.ofDays(-1));
        ClockCorrection k = keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        assertEquals(2, jumps.size());
        assertEquals(0, k.offsetNs());
        assertEquals(5, k.stampsRedated());
        assertEquals("after-jump", k.cause());
        for (int i = 0; i < 5; i++) {
            assertEquals(s.get(5 + i).wallNs(), k.redated().get(i).wallNs());
            assertEquals(QcFlags.REDATED, k.redated().get(i).qc());
        }
        assertEquals(0, keeper.stamp().qc());
    }

    @Test
    void backwardDayJumpWhileSyncedNeverGoesBackwards() {
        clocks.setWall(TRUE_BOOT_WALL);
        keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        List<AcquisitionStamp> s = new ArrayList<>(stampEvery(Duration.ofSeconds(2), 5));
        clocks.jumpWall(Duration.ofDays(-1));
        s.addAll(stampEvery(Duration.ofSeconds(2), 5));
        assertEquals(1, jumps.size());
        assertEquals(-Duration.ofDays(1).toNanos(), jumps.get(0).jumpNs());
        for (int i = 5; i < 10; i++) {
            assertTrue(s.get(i).has(QcFlags.CLOCK_JUMP) && s.get(i).has(QcFlags.CLOCK_UNSYNCED));
        }
        assertIntervalsAreTheMonotonicOnes(s);
        // the kernel says unsynchronised after a manual date -s: nothing is adopted
        assertTrue(keeper.observeSync(SyncStatus.unsynchronised("fake")).isEmpty());
        assertFalse(keeper.trusted());
    }

    @Test
    void jumpBeforeFirstSyncIsFlaggedAndCoveredByTheCorrection() {
        List<AcquisitionStamp> s = new ArrayList<>(stampEvery(Duration.ofSeconds(2), 3));
        clocks.jumpWall(Duration.ofDays(1));
        s.addAll(stampEvery(Duration.ofSeconds(2), 3));
        assertEquals(QcFlags.CLOCK_UNSYNCED, s.get(2).qc());
        assertEquals(QcFlags.CLOCK_UNSYNCED | QcFlags.CLOCK_JUMP, s.get(3).qc());
        assertFalse(jumps.get(0).wasTrusted());
        assertIntervalsAreTheMonotonicOnes(s);
        ClockCorrection k = keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        assertEquals(6, k.stampsRedated());
        assertEquals(Duration.ofDays(1).toNanos(), k.offsetNs());
        for (int i = 0; i < 6; i++) {
            assertEquals(k.syncWallNs() - (k.syncMonotonicNs() - s.get(i).monotonicNs()), k.redated().get(i).wallNs());
        }
    }

    @Test
    void nowDoesNotRecordAnAcquisition() {
        keeper.stamp();
        clocks.advance(Duration.ofSeconds(3));
        assertEquals(WRONG_BOOT_WALL + 3 * S, keeper.nowNs());
        assertEquals(1, keeper.pending());
    }

    @Test
    void driftBelowTheThresholdIsNotAJump() {
        stampEvery(Duration.ofSeconds(2), 3);
        clocks.jumpWall(Duration.ofMillis(1500));
        stampEvery(Duration.ofSeconds(2), 3);
        assertEquals(0, jumps.size());
    }

    @Test
    void newBootIdStartsUnsyncedAndDropsTheOldBootsPendingStamps() {
        clocks.setWall(TRUE_BOOT_WALL);
        keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        assertEquals(0, keeper.stamp().qc());
        // reboot: fake-hwclock restores a time behind, monotonic restarts
        clocks.reboot("boot-b", WRONG_BOOT_WALL, 5 * S);
        AcquisitionStamp b = keeper.stamp();
        assertEquals("boot-b", b.bootId());
        assertEquals(QcFlags.CLOCK_UNSYNCED, b.qc()); // a boot change is not a jump
        assertEquals(WRONG_BOOT_WALL, b.wallNs());
        assertEquals(0, jumps.size());
        clocks.advance(Duration.ofSeconds(10));
        keeper.stamp();
        clocks.reboot("boot-c", WRONG_BOOT_WALL + 60 * S, 5 * S);
        keeper.stamp();
        clocks.advance(Duration.ofSeconds(1));
        clocks.setWall(TRUE_BOOT_WALL + 3600 * S);
        ClockCorrection k = keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        assertEquals("boot-c", k.bootId());
        assertEquals(1, k.stampsRedated()); // only this boot's stamp; boot-b's can no longer be tied to a wall time
        assertEquals(TRUE_BOOT_WALL + 3600 * S - S, k.redated().get(0).wallNs());
    }

    @Test
    void syncLostAfterTrustFlagsUntilResynced() {
        clocks.setWall(TRUE_BOOT_WALL);
        keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        clocks.advance(Duration.ofSeconds(1));
        keeper.observeSync(SyncStatus.unsynchronised("fake"));
        AcquisitionStamp s = keeper.stamp();
        assertEquals(QcFlags.CLOCK_UNSYNCED, s.qc());
        assertEquals(TRUE_BOOT_WALL + S, s.wallNs());
        clocks.advance(Duration.ofSeconds(1));
        ClockCorrection k = keeper.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        assertEquals("sync-lost", k.cause());
        assertEquals(0, k.offsetNs());
        assertEquals(1, k.stampsRedated());
    }

    @Test
    void bufferIsBoundedButTheCorrectionCountsAll() {
        TimeKeeper small = new TimeKeeper(clocks, Duration.ofSeconds(2), 3, j -> { });
        for (int i = 0; i < 10; i++) {
            small.stamp();
            clocks.advance(Duration.ofSeconds(1));
        }
        ClockCorrection k = small.observeSync(SyncStatus.synchronised("fake")).orElseThrow();
        assertEquals(10, k.stampsRedated());
        assertEquals(3, k.redated().size());
        assertEquals(BOOT_MONO + 7 * S, k.redated().get(0).monotonicNs());
        assertEquals(WRONG_BOOT_WALL, k.firstOriginalNs());
        assertEquals(WRONG_BOOT_WALL + 9 * S, k.lastOriginalNs());
    }

    @Test
    void pollerFeedsTheKeeperOffTheStampingThread() throws Exception {
        FakeClockSyncSource source = new FakeClockSyncSource();
        keeper.stamp();
        List<ClockCorrection> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        source.set(SyncStatus.State.SYNCHRONISED);
        try (ClockSyncPoller p = new ClockSyncPoller(source, keeper, Duration.ofMillis(5), got::add)) {
            long deadline = System.nanoTime() + 5 * S;
            while (got.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
        assertEquals(1, got.size());
        assertTrue(keeper.trusted());
    }

    private static void assertIntervalsAreTheMonotonicOnes(List<AcquisitionStamp> s) {
        for (int i = 1; i < s.size(); i++) {
            long dWall = s.get(i).wallNs() - s.get(i - 1).wallNs();
            assertTrue(dWall >= 0, "negative interval at " + i);
            assertEquals(s.get(i).monotonicNs() - s.get(i - 1).monotonicNs(), dWall, "interval " + i);
        }
    }
}
