package org.fieldgate.acquire.time;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.fieldgate.reading.QcFlags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stamps acquisitions with a time a verifier can trust, or a flag saying it cannot (docs/science.md §4.3: a Pi has no
 * real-time clock).
 *
 * <h2>How a time is made</h2>
 * The keeper holds an <em>anchor</em>: a (wall, monotonic) pair. Every stamp is {@code anchorWall + (monotonic -
 * anchorMonotonic)}, i.e. the wall clock carried forward on the monotonic clock, so stamps never go backwards within
 * a boot and intervals between them are always the true elapsed time, whatever the wall clock does. At boot (first
 * look, or a new boot id) the anchor is the system wall clock as it is, probably wrong (fake-hwclock restores the
 * time of the last shutdown), and stamps carry {@link QcFlags#CLOCK_UNSYNCED}. When the sync source says
 * synchronised, the anchor moves to the synchronised wall clock, and the stamps since the keeper last trusted the
 * clock are re-dated: {@code syncWall - (syncMonotonic - stampMonotonic)}; a {@link ClockCorrection} is returned.
 *
 * <h2>Jumps</h2>
 * At every look (stamp or sync observation) the keeper compares the wall clock's delta since the previous look with
 * the monotonic delta; a difference over the threshold (default 2 s) is a jump: a {@link ClockJump} goes to the jump
 * listener, the keeper stops trusting the clock, and every stamp from then until it re-anchors on a synchronised
 * clock carries {@link QcFlags#CLOCK_JUMP} and {@link QcFlags#CLOCK_UNSYNCED}. The stamps keep following the old
 * anchor (they do not follow the jump), so there is no negative or inflated interval. Stamps before the jump are not
 * flagged: they were carried on the monotonic clock from the anchor and are as good as it was. When the sync source
 * next reports synchronised, the keeper re-anchors on the wall clock and re-dates the stamps since the jump (the
 * offset is about the jump size if the jump was an NTP step, about zero if the clock was put back).
 * Residual risk: a manual clock change while a source that cannot notice it (only the timesyncd flag file) still says
 * synchronised is adopted at the next poll; {@link SystemClockSyncSource} asks the kernel's flag first, which a
 * manual change clears.
 *
 * <h2>Readings published before sync (the choice)</h2>
 * They are published at once with CLOCK_UNSYNCED, never held back; after sync, re-dated copies are published again
 * with REDATED (CLOCK_UNSYNCED cleared) and the originals stay as they were. Why: holding readings back until sync
 * is unbounded on a site without network (days) and loses them on a power cut, whereas published readings are in the
 * spool. A verifier gets an unambiguous rule (drop {@code qc & CLOCK_UNSYNCED}), every original value is still there
 * with its raw time, and the {@link ClockCorrection} records exactly how each copy was derived. Both copies are
 * distinct InfluxDB points (different timestamps), so nothing is overwritten. Readings of a boot that never synced
 * keep CLOCK_UNSYNCED for good (their monotonic times cannot be tied to a later boot).
 *
 * <h2>Threading</h2>
 * {@link #stamp()} is O(1), lock-held for nanoseconds, never does I/O; {@link #observeSync(SyncStatus)} is fed by a
 * poller. Both synchronized. Callers should observe the sync state once before the first stamp (at start-up), so a
 * gateway restarted on a long-synchronised host does not begin with unsynced stamps.
 */
public final class TimeKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(TimeKeeper.class);
    public static final Duration DEFAULT_JUMP_THRESHOLD = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_BUFFERED = 100_000;

    private final Clocks clocks;
    private final long jumpThresholdNs;
    private final int maxBuffered;
    private final Consumer<ClockJump> jumpListener;

    private String bootId;
    private long anchorWall;
    private long anchorMono;
    private long lastLookWall;
    private long lastLookMono;
    private long lastStampWall = Long.MIN_VALUE;
    private boolean trusted;
    private boolean jumpActive;
    private String untrustedCause = "boot-unsynced";
    private final ArrayDeque<AcquisitionStamp> buffer = new ArrayDeque<>();
    private long epochCount;
    private long epochFirst;
    private long epochLast = -1;
    private long jumps;
    private long corrections;

    public TimeKeeper(Clocks clocks) {
        this(clocks, DEFAULT_JUMP_THRESHOLD, DEFAULT_MAX_BUFFERED, j -> { });
    }

    /**
     * @param jumpThreshold wall vs monotonic delta difference that counts as a jump (positive)
     * @param maxBuffered   untrusted stamps kept for re-dating (oldest dropped first; the correction's offset and
     *                      range still cover them all)
     * @param jumpListener  told of each jump, on the stamping thread; must not block
     */
    public TimeKeeper(Clocks clocks, Duration jumpThreshold, int maxBuffered, Consumer<ClockJump> jumpListener) {
        if (jumpThreshold.isNegative() || jumpThreshold.isZero()) {
            throw new IllegalArgumentException("jump threshold must be positive: " + jumpThreshold);
        }
        if (maxBuffered < 0) {
            throw new IllegalArgumentException("maxBuffered must be >= 0: " + maxBuffered);
        }
        this.clocks = clocks;
        this.jumpThresholdNs = jumpThreshold.toNanos();
        this.maxBuffered = maxBuffered;
        this.jumpListener = jumpListener;
    }

    /** Stamps one acquisition now. */
    public synchronized AcquisitionStamp stamp() {
        long wall = clocks.wallNs();
        long mono = clocks.monotonicNs();
        look(clocks.bootId(), wall, mono);
        long t = anchorWall + (mono - anchorMono);
        if (t < lastStampWall) {
            t = lastStampWall; // defensive: cannot happen while the monotonic clock is monotonic
        }
        lastStampWall = t;
        int qc = (trusted ? 0 : QcFlags.CLOCK_UNSYNCED) | (jumpActive ? QcFlags.CLOCK_JUMP : 0);
        AcquisitionStamp s = new AcquisitionStamp(t, mono, bootId, qc, wall);
        if (!trusted) {
            if (epochCount++ == 0) {
                epochFirst = t;
            }
            epochLast = t;
            if (maxBuffered > 0) {
                if (buffer.size() >= maxBuffered) {
                    buffer.removeFirst();
                }
                buffer.addLast(s);
            }
        }
        return s;
    }

    /**
     * The disciplined time now (what {@link #stamp()} would give) without recording an acquisition: for schedulers
     * and lid-event times. Trust state: {@link #trusted()}.
     */
    public synchronized long nowNs() {
        long wall = clocks.wallNs();
        long mono = clocks.monotonicNs();
        look(clocks.bootId(), wall, mono);
        return Math.max(anchorWall + (mono - anchorMono), lastStampWall);
    }

    /**
     * Tells the keeper what the sync source says. Returns the correction when this makes the clock trusted again
     * (the caller stores it and re-publishes re-dated copies), empty otherwise.
     */
    public synchronized Optional<ClockCorrection> observeSync(SyncStatus status) {
        long wall = clocks.wallNs();
        long mono = clocks.monotonicNs();
        look(clocks.bootId(), wall, mono);
        if (!status.synchronised()) {
            if (trusted && status.state() == SyncStatus.State.UNSYNCHRONISED) {
                LOG.warn("clock sync lost ({}); stamping CLOCK_UNSYNCED, carried on the monotonic clock",
                        status.source());
                trusted = false;
                untrustedCause = "sync-lost";
            }
            return Optional.empty();
        }
        if (trusted) {
            return Optional.empty();
        }
        long offset = wall - (anchorWall + (mono - anchorMono));
        List<AcquisitionStamp> redated = new ArrayList<>(buffer.size());
        for (AcquisitionStamp s : buffer) {
            int qc = (s.qc() & ~(QcFlags.CLOCK_UNSYNCED | QcFlags.CLOCK_JUMP)) | QcFlags.REDATED;
            redated.add(new AcquisitionStamp(wall - (mono - s.monotonicNs()), s.monotonicNs(), s.bootId(), qc,
                    s.systemWallNs()));
        }
        ClockCorrection c = new ClockCorrection(bootId, offset, epochCount, wall, mono,
                epochCount == 0 ? 0 : epochFirst, epochLast, untrustedCause, redated);
        LOG.info("clock trusted ({}): offset {} ns, {} acquisition(s) re-dated ({})", status.source(), offset,
                epochCount, untrustedCause);
        anchorWall = wall;
        anchorMono = mono;
        lastStampWall = Long.MIN_VALUE;
        trusted = true;
        jumpActive = false;
        buffer.clear();
        epochCount = 0;
        epochLast = -1;
        corrections++;
        return Optional.of(c);
    }

    /** One look at the clocks: boot change, jump detection. */
    private void look(String id, long wall, long mono) {
        if (!id.equals(bootId)) {
            if (bootId != null) {
                LOG.warn("boot id changed from {} to {}; {} untrusted stamp(s) of the old boot cannot be re-dated",
                        bootId, id, epochCount);
            }
            bootId = id;
            anchorWall = wall;
            anchorMono = mono;
            lastLookWall = wall;
            lastLookMono = mono;
            lastStampWall = Long.MIN_VALUE;
            trusted = false;
            jumpActive = false;
            untrustedCause = "boot-unsynced";
            buffer.clear();
            epochCount = 0;
            epochLast = -1;
            return;
        }
        long jump = (wall - lastLookWall) - (mono - lastLookMono);
        if (Math.abs(jump) > jumpThresholdNs) {
            ClockJump j = new ClockJump(bootId, mono, lastLookWall, wall, jump, trusted);
            LOG.warn("wall clock jumped by {} ns (was trusted: {}); stamps flagged CLOCK_JUMP until re-synchronised",
                    jump, trusted);
            jumps++;
            if (trusted) {
                untrustedCause = "after-jump";
            }
            trusted = false;
            jumpActive = true;
            try {
                jumpListener.accept(j);
            } catch (RuntimeException e) {
                LOG.warn("jump listener failed", e);
            }
        }
        lastLookWall = wall;
        lastLookMono = Math.max(mono, lastLookMono);
    }

    public synchronized boolean trusted() {
        return trusted;
    }

    public synchronized String bootId() {
        return bootId;
    }

    /** Untrusted stamps waiting for re-dating in this epoch (all, not only the buffered ones). */
    public synchronized long pending() {
        return epochCount;
    }

    public synchronized long jumps() {
        return jumps;
    }

    public synchronized long corrections() {
        return corrections;
    }
}
