package org.fieldgate.web;

import org.fieldgate.reading.EpochNanos;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import org.fieldgate.export.CompletenessLedger;
import org.fieldgate.live.LatestReadings;
import org.fieldgate.pipeline.StatusSnapshots;
import org.fieldgate.store.DeadLetter;
import org.fieldgate.store.Spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read-only views of the pipeline: the live page, its status figures, the latest readings, dead letters. */
@Controller
public class StatusController {
    private final StatusSnapshots snapshots;
    private final LatestReadings latest;
    private final CompletenessLedger ledger;
    private final Spool spool;
    private final String page;

    public StatusController(StatusSnapshots snapshots, LatestReadings latest, CompletenessLedger ledger, Spool spool)
            throws IOException {
        this.snapshots = snapshots;
        this.latest = latest;
        this.ledger = ledger;
        this.spool = spool;
        try (InputStream in = StatusController.class.getResourceAsStream("/page/index.html")) {
            if (in == null) {
                throw new IOException("page/index.html missing from the gateway jar");
            }
            this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Get(uri = "/", produces = MediaType.TEXT_HTML)
    public String page() {
        return page;
    }

    @Get("/api/status")
    public GatewayStatus status() {
        return GatewayStatus.of(snapshots.take());
    }

    @Get("/api/latest")
    public List<Map<String, Object>> latest() {
        long nowNs = EpochNanos.now();
        return latest.all().stream().map(r -> Map.<String, Object>of(
                "site", r.site(), "device", r.device(), "channel", r.channel(), "unit", r.unit(),
                "value", r.value(), "qc", r.qc(), "time", Instant.ofEpochSecond(0, r.timeNs()).toString(),
                "ageS", (nowNs - r.timeNs()) / 1e9)).toList();
    }

    /**
     * The completeness ledger of the last {@code hours} UTC hours (1 to 744, the current one included): per channel and
     * hour expected, received, flagged, delivered, missing and why, and the gap records of that time.
     */
    @Get("/api/ledger")
    public Map<String, Object> ledger(@QueryValue(defaultValue = "24") int hours) {
        int bounded = Math.max(1, Math.min(hours, 744));
        long hourNs = CompletenessLedger.HOUR_NS;
        long to = (Math.floorDiv(EpochNanos.now(), hourNs) + 1) * hourNs;
        var report = ledger.report(to - bounded * hourNs, to);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", Instant.ofEpochSecond(0, report.fromNs()).toString());
        out.put("to", Instant.ofEpochSecond(0, report.toNs()).toString());
        out.put("rows", report.rows());
        out.put("gaps", report.gaps());
        return out;
    }

    @Get("/api/dead-letters")
    public List<Map<String, Object>> deadLetters(@QueryValue(defaultValue = "50") int limit) {
        int bounded = Math.max(1, Math.min(limit, 1000));
        return spool.deadLetters().recent(bounded).stream().map(StatusController::view).toList();
    }

    private static Map<String, Object> view(DeadLetter d) {
        return Map.of("id", d.id(), "receivedAt", Instant.ofEpochSecond(0, d.receivedNs()).toString(),
                "topic", d.topic(), "reason", d.reason(), "rawLength", d.rawLength(), "raw", printable(d.raw()));
    }

    /**
     * Raw bytes shown as text: valid UTF-8 stays readable, every byte that is not valid UTF-8 and every
     * control character (but tab and newline) becomes \\xNN with its original value, so garbage can
     * neither break the page nor be misreported.
     */
    static String printable(byte[] raw) {
        StringBuilder sb = new StringBuilder(raw.length + 16);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length + 1);
        while (in.hasRemaining()) {
            CoderResult result = utf8.decode(in, out, true);
            out.flip();
            while (out.hasRemaining()) {
                char c = out.get();
                if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                    sb.append(String.format("\\x%02x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            out.clear();
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    sb.append(String.format("\\x%02x", in.get() & 0xFF));
                }
            } else if (result.isUnderflow()) {
                break;
            }
        }
        return sb.toString();
    }


}
