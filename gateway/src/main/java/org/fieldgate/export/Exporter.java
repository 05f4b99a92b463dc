package org.fieldgate.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.fieldgate.config.GatewaySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports closed windows into the outbox on the cron schedule and delivers them to the engine until each is
 * acknowledged. The outbox is the state, so a restart (or the CLI) picks up where things stood:
 * {@code <outbox>/<window id>/} is an exported window, {@code <outbox>/.delivered/<window id>.json} the engine's
 * acknowledgement of one content hash of it. A window is exported once; a re-export of unchanged data leaves the folder
 * as it was, one of changed data (late readings) replaces it and is delivered again under its new content hash.
 * A window is closed when its end has passed, InfluxDB answers and the spool holds nothing stamped before its end.
 */
public final class Exporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Exporter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmX");
    static final String DELIVERED = ".delivered";

    private final GatewaySettings.Export settings;
    private final WindowWriter export;
    private final Closure closure;
    private final ZoneId zone;
    private final Clock clock;
    private final HttpDelivery delivery;
    private final Object wake = new Object();
    private volatile boolean running;
    private Thread thread;

    /** Whether a window's data is complete in InfluxDB; the reason it is not, or null. */
    public interface Closure {
        String notClosedBecause(ExportWindow window);
    }

    /** Writes one window's files and its chained, signed manifest into a folder ({@link WindowExport}). */
    public interface WindowWriter {
        Manifest write(ExportWindow window, Path dir, Manifest.ChainLink link) throws IOException;
    }

    /** What {@link #export} did. */
    public enum Outcome { WRITTEN, UNCHANGED, REPLACED }

    public Exporter(GatewaySettings.Export settings, WindowWriter export, Closure closure, ZoneId zone, Clock clock) {
        this.settings = settings;
        this.export = export;
        this.closure = closure;
        this.zone = zone;
        this.clock = clock;
        this.delivery = settings.endpoint() == null ? null : new HttpDelivery(settings.endpoint(), settings.token());
    }

    /**
     * Writes {@code window} into {@code parent/<window id>}: in a scratch folder first, moved into place only when
     * complete, so a crash never leaves half an export where a sync job or the engine could take it. The manifest
     * names the manifest of the window before it in {@code parent} (by start) and is signed by the key that window
     * hands over; windows after it whose link no longer holds are re-chained (their manifests only).
     */
    public synchronized Outcome export(ExportWindow window, Path parent) throws IOException {
        Files.createDirectories(parent);
        Path target = parent.resolve(window.id());
        Path partial = parent.resolve(".partial-" + window.id());
        deleteTree(partial);
        GatewayKeys keys = GatewayKeys.openOrCreate(settings.keyDir());
        Path before = null;
        List<Path> after = new ArrayList<>();
        for (Path p : exported(parent)) {
            ExportWindow w = parseId(p.getFileName().toString());
            if (w.from().isBefore(window.from())) {
                before = p;
            } else if (w.from().isAfter(window.from())) {
                after.add(p);
            }
        }
        Manifest existing = null;
        if (Files.isRegularFile(target.resolve(Manifest.FILE))) {
            try {
                existing = Manifest.read(target);
            } catch (IOException e) {
                existing = null; // replaced below, with the warning
            }
        }
        Manifest.ChainLink link = link(window, before, existing, after.isEmpty(), keys);
        Outcome outcome = write(window, parent, target, partial, link);
        // also after UNCHANGED: a re-chain a crash interrupted is finished by the next export of the window
        rechain(target, after, keys);
        return outcome;
    }

    /**
     * The window's place in the chain: after {@code before} (null: the first), signed by the key {@code before}
     * hands over (the first: the key that signed it before, else the current one). After a rotation the old key
     * signs and announces the new one in the newest window, or in a window that announced it already.
     */
    private static Manifest.ChainLink link(ExportWindow window, Path before, Manifest existing, boolean newest,
                                           GatewayKeys keys) throws IOException {
        String previousWindow = null;
        String previousSha = null;
        String signerFp = keys.current().fingerprint();
        String why = "the current key";
        if (before != null) {
            Manifest previous = Manifest.read(before);
            previousWindow = previous.windowId();
            previousSha = Manifest.fileSha256(before);
            if (previous.handsOverTo() != null) { // null: a fieldgate-export/1 window, before signatures
                signerFp = previous.handsOverTo();
                why = "the key window " + previousWindow + " hands over";
            }
        } else if (existing != null && existing.keySha256() != null) {
            signerFp = existing.keySha256();
            why = "the key that signed it before";
        }
        GatewayKeys.Pair signer = keys.byFingerprint(signerFp);
        if (signer == null) {
            throw new IOException("window " + window.id() + " must be signed by key " + signerFp + " (" + why + "), but "
                    + keys.dir() + " holds only key " + keys.current().fingerprint()
                    + (keys.previous() == null ? "" : " and the previous " + keys.previous().fingerprint())
                    + ": restore that key; a window signed by another would break the chain");
        }
        boolean announced = existing != null && keys.current().fingerprint().equals(existing.nextKeySha256());
        java.security.PublicKey announce = signer != keys.current() && (newest || announced)
                ? keys.current().publicKey() : null;
        return new Manifest.ChainLink(previousWindow, previousSha, signer, announce);
    }

    /**
     * Names the new manifest of {@code changed} in the windows after it, where their link no longer holds. A window
     * is re-signed only when its files and its old signature verify: the exporter never signs what someone changed.
     */
    private static void rechain(Path changed, List<Path> after, GatewayKeys keys) throws IOException {
        Path previous = changed;
        for (Path next : after) {
            Manifest m = Manifest.read(next);
            String sha = Manifest.fileSha256(previous);
            String previousId = previous.getFileName().toString();
            if (m.keySha256() == null || sha.equals(m.previousManifestSha256()) && previousId.equals(m.previousWindow())) {
                return; // the chain holds from here on (or a fieldgate-export/1 window, which has none)
            }
            GatewayKeys.Pair signer = keys.byFingerprint(m.keySha256());
            if (signer == null) {
                throw new IOException("window " + m.windowId() + " follows a changed window but cannot be re-chained: "
                        + "its key " + m.keySha256() + " is not in " + keys.dir() + "; export it again");
            }
            List<String> problems = new ArrayList<>(Manifest.verify(next));
            if (!signedBy(next, signer)) {
                problems.add(Manifest.SIG + " does not verify");
            }
            if (!problems.isEmpty()) {
                throw new IOException("window " + m.windowId() + " follows a changed window but is not re-signed, as it"
                        + " does not verify (" + String.join("; ", problems) + "); export it again");
            }
            Manifest rechained = m.rechained(previousId, sha);
            rechained.writeSigned(next, signer);
            LOG.info("export {}: re-chained after {} (content {} was {})", m.windowId(), previousId,
                    rechained.contentSha256(), m.contentSha256());
            previous = next;
        }
    }

    private static boolean signedBy(Path window, GatewayKeys.Pair signer) throws IOException {
        Path sig = window.resolve(Manifest.SIG);
        return Files.isRegularFile(sig) && GatewayKeys.verify(signer.publicKey(),
                Files.readAllBytes(window.resolve(Manifest.FILE)), Files.readAllBytes(sig));
    }

    private Outcome write(ExportWindow window, Path parent, Path target, Path partial, Manifest.ChainLink link)
            throws IOException {
        Manifest written;
        try {
            written = export.write(window, partial, link);
        } catch (IOException | RuntimeException e) {
            deleteTree(partial);
            throw e;
        }
        if (Files.isDirectory(target)) {
            String old = null;
            try {
                old = Manifest.read(target).contentSha256();
            } catch (IOException e) {
                LOG.warn("export {}: the existing folder has no readable manifest ({}); replacing it", window.id(),
                        e.getMessage());
            }
            if (written.contentSha256().equals(old) && Manifest.verify(target).isEmpty()) {
                deleteTree(partial);
                LOG.info("export {}: unchanged (content {}), left as it was", window.id(), old);
                return Outcome.UNCHANGED;
            }
            Path replaced = parent.resolve(".replaced-" + window.id());
            deleteTree(replaced);
            Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(replaced);
            LOG.info("export {}: replaced (content {} was {}), rows {}", window.id(), written.contentSha256(), old,
                    written.rowCounts());
            return Outcome.REPLACED;
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("export {} written to {}: rows {}", window.id(), target, written.rowCounts());
        return Outcome.WRITTEN;
    }

    /**
     * Exports, oldest first, the closed windows after the newest one in the outbox (only the last closed one when the
     * outbox has none). Stops at the first window that is not closed yet. Returns true when none is left waiting.
     */
    public synchronized boolean exportDue() throws IOException {
        Instant now = clock.instant();
        Instant last = newestExportedEnd();
        List<ExportWindow> due = last == null ? List.of(ExportWindow.lastClosed(now, settings.window(), zone))
                : ExportWindow.closedBetween(last, now, settings.window(), zone);
        for (ExportWindow w : due) {
            String why = closure.notClosedBecause(w);
            if (why != null) {
                LOG.info("export {} waits: {}", w.id(), why);
                return false;
            }
            export(w, settings.outbox());
        }
        return true;
    }

    /**
     * Sends every export in the outbox whose content the engine has not acknowledged, oldest first; stops at the first
     * failure. Returns true when all are acknowledged.
     */
    public synchronized boolean deliverPending() {
        if (delivery == null) {
            return true;
        }
        for (Path dir : exported()) {
            Manifest m;
            try {
                m = Manifest.read(dir);
            } catch (IOException e) {
                LOG.error("export {} cannot be delivered: {}", dir.getFileName(), e.getMessage());
                continue;
            }
            Path ack = settings.outbox().resolve(DELIVERED).resolve(m.windowId() + ".json");
            if (m.idempotencyKey().equals(acknowledgedKey(ack))) {
                continue;
            }
            try {
                HttpDelivery.Answer answer = delivery.post(dir, m, Files.createDirectories(
                        settings.outbox().resolve(DELIVERED)));
                if (!answer.acknowledged()) {
                    LOG.warn("export {} not accepted by {}: HTTP {} {}; retrying with backoff", m.windowId(),
                            settings.endpoint(), answer.status(), answer.body());
                    return false;
                }
                ObjectNode record = JSON.createObjectNode();
                record.put("idempotency_key", m.idempotencyKey());
                record.put("status", answer.status());
                record.put("acknowledged_at", clock.instant().toString());
                Path tmp = ack.resolveSibling(ack.getFileName() + ".tmp");
                Files.write(tmp, JSON.writeValueAsBytes(record));
                Files.move(tmp, ack, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                LOG.info("export {} acknowledged by {} (HTTP {})", m.windowId(), settings.endpoint(), answer.status());
            } catch (IOException e) {
                LOG.warn("export {} not delivered to {}: {}; retrying with backoff", m.windowId(), settings.endpoint(),
                        e.toString());
                return false;
            }
        }
        return true;
    }

    private static String acknowledgedKey(Path ack) {
        if (!Files.isRegularFile(ack)) {
            return null;
        }
        try {
            return JSON.readTree(ack.toFile()).path("idempotency_key").asText();
        } catch (IOException e) {
            LOG.warn("delivery record {} unreadable ({}); sending again, the engine dedupes", ack, e.getMessage());
            return null;
        }
    }

    /** Export folders in the outbox, oldest window first. */
    List<Path> exported() {
        return exported(settings.outbox());
    }

    /** Export folders in {@code parent}, oldest window first (ids start with the UTC start, so names sort by it). */
    static List<Path> exported(Path parent) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(parent)) {
            return all.filter(p -> parseId(p.getFileName().toString()) != null && Files.isRegularFile(p.resolve(Manifest.FILE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            LOG.error("outbox {} cannot be listed: {}", parent, e.getMessage());
            return List.of();
        }
    }

    private Instant newestExportedEnd() {
        Instant newest = null;
        for (Path p : exported()) {
            ExportWindow w = parseId(p.getFileName().toString());
            if (newest == null || w.to().isAfter(newest)) {
                newest = w.to();
            }
        }
        return newest;
    }

    static ExportWindow parseId(String id) {
        String[] parts = id.split("_");
        if (parts.length != 2) {
            return null;
        }
        try {
            return new ExportWindow(ZonedDateTime.parse(parts[0], ID).toInstant(), ZonedDateTime.parse(parts[1], ID).toInstant());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The schedule's thread: exports at each cron time, and retries exports and deliveries with backoff between. */
    public void start() {
        if (settings.schedule() == null && delivery == null) {
            LOG.info("export: no schedule (fieldgate.export.schedule = off) and no endpoint; the CLI exports on demand");
            return;
        }
        running = true;
        thread = new Thread(this::loop, "export-scheduler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        ZonedDateTime now = clock.instant().atZone(zone);
        ZonedDateTime nextFire = settings.schedule() == null ? null : settings.schedule().next(now, zone);
        // windows missed while the gateway was off are caught up now, not a schedule period later
        boolean exportPending = settings.schedule() != null && newestExportedEnd() != null;
        Duration backoff = settings.minBackoff();
        LOG.info("export: schedule '{}' ({}), next {}, outbox {}, endpoint {}", settings.schedule(), zone, nextFire,
                settings.outbox(), settings.endpoint() == null ? "none" : settings.endpoint());
        while (running) {
            now = clock.instant().atZone(zone);
            if (nextFire != null && !now.isBefore(nextFire)) {
                exportPending = true;
                nextFire = settings.schedule().next(now, zone);
            }
            boolean retry = false;
            try {
                if (exportPending) {
                    exportPending = !exportDue();
                }
                retry = exportPending || !deliverPending();
            } catch (IOException | RuntimeException e) {
                LOG.error("export failed: {}; retrying with backoff", e.toString());
                retry = true;
            }
            long waitMs = nextFire == null ? Long.MAX_VALUE
                    : Math.max(1, Duration.between(clock.instant(), nextFire.toInstant()).toMillis());
            if (retry) {
                // full jitter between half and all of the backoff, as the forwarder does
                long ms = backoff.toMillis();
                waitMs = Math.min(waitMs, ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
            } else {
                backoff = settings.minBackoff();
            }
            synchronized (wake) {
                if (running) {
                    try {
                        wake.wait(Math.min(waitMs, Duration.ofHours(1).toMillis()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = new ArrayList<>(walk.toList());
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.delete(p);
        }
    }

    @Override
    public void close() {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (thread != null) {
            try {
                // an export or delivery in progress finishes; its files are complete or not yet moved into place
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
