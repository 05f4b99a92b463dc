package org.fieldgate.pipeline;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.lorawan.FrameCounterStore;
import org.fieldgate.lorawan.LorawanDecoder;
import org.fieldgate.lorawan.Uplinks;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.GapRecord;
import org.fieldgate.store.Spool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static org.fieldgate.lorawan.Uplinks.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The LoRaWAN decoder's frame counters across a restart of the gateway (a new spool handle and decoder on the same
 * spool, as IngestBuilder wires them): a duplicate uplink is not stored again, the next uplink is no false gap, a
 * reset is still a gap, and the receive time survives to the nanosecond.
 */
class SpoolFrameCountersTest {
    private static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();
    private static final SiteConfig SITE = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/lorawan-soil-example.yaml"),
            CONFIG.resolve("models"));
    private static final String EUI = "a84041000181c5e1";
    /** Readings of one mapped LSE01 uplink: five fields, RSSI and SNR. */
    private static final int PER_UPLINK = 7;

    @TempDir
    Path dir;

    private static int readings(LorawanDecoder decoder, int fCnt, String time) {
        return decoder.decode(Uplinks.chirpstackTopic(EUI), bytes(Uplinks.chirpstack("lse01-plot-a-1", EUI, fCnt, time,
                Uplinks.lse01("25.52", "9.12", 124)))).readings().size();
    }

    private Spool spool() {
        return new Spool(dir.resolve("spool"), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
    }

    private static LorawanDecoder decoder(Spool spool, Function<Spool, FrameCounterStore> counters) {
        return new LorawanDecoder(List.of(SITE), (site, device, firstNs, lastNs, missing, cause) ->
                spool.gaps().record(site, device, "*", firstNs, lastNs, missing, cause), counters.apply(spool));
    }

    @Test
    void aRestartNeitherStoresADuplicateUplinkNorRecordsAFalseGap() {
        Function<Spool, FrameCounterStore> inSpool = s -> new SpoolFrameCounters(s.accumulators());
        try (Spool spool = spool()) {
            LorawanDecoder before = decoder(spool, inSpool);
            assertEquals(PER_UPLINK, readings(before, 10, "2026-12-05T09:00:00.123456789Z"));
            assertEquals(PER_UPLINK, readings(before, 11, "2026-12-05T09:20:00.987654321Z"));
        }
        try (Spool spool = spool()) {
            LorawanDecoder after = decoder(spool, inSpool);
            // the network server sends fCnt 11 again with another receive time (a second gateway's copy, late)
            assertEquals(0, readings(after, 11, "2026-12-05T09:20:03Z"), "a duplicate uplink after the restart");
            assertEquals(1, after.duplicates());
            // its MQTT redelivery (same receive time, to the ns) is no duplicate uplink: the reading keys handle it
            assertEquals(PER_UPLINK, readings(after, 11, "2026-12-05T09:20:00.987654321Z"));
            assertEquals(PER_UPLINK, readings(after, 12, "2026-12-05T09:40:00Z"));
            assertEquals(List.of(), spool.gaps().recent(10), "no false gap after the restart");
        }
        try (Spool spool = spool()) {
            LorawanDecoder again = decoder(spool, inSpool);
            assertEquals(PER_UPLINK, readings(again, 2, "2026-12-05T10:00:00Z"));
            assertEquals(List.of("lse01-plot-a-1: LoRaWAN frame counter reset from 12 to 2 (node rejoined or restarted)"),
                    spool.gaps().recent(10).stream().map(g -> g.device() + ": " + g.cause()).toList(),
                    "a reset across a restart is a gap");
            List<GapRecord> gaps = spool.gaps().recent(10);
            assertEquals(1_796_463_600_000_000_000L, gaps.get(0).firstTimeNs(), "the last uplink's time, kept to the ns");
        }
    }
}
