package org.fieldgate.pipeline;

import org.fieldgate.lorawan.FrameCounterStore;
import org.fieldgate.store.AccumulatorStore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The LoRaWAN decoder's last frame counters in the spool (accumulator key {@value #KEY}, one bucket per device):
 * counter, receive time's epoch second and nanosecond (a double holds each exactly; the time in ns would not fit).
 */
final class SpoolFrameCounters implements FrameCounterStore {
    static final String KEY = "lorawan-fcnt";

    private final AccumulatorStore accumulators;

    SpoolFrameCounters(AccumulatorStore accumulators) {
        this.accumulators = accumulators;
    }

    @Override
    public Map<String, LastFrame> load() {
        Map<String, LastFrame> out = new LinkedHashMap<>();
        accumulators.get(KEY).forEach((device, v) -> out.put(device,
                new LastFrame((long) v[0], (long) v[1] * 1_000_000_000L + (long) v[2])));
        return out;
    }

    @Override
    public void save(String key, LastFrame frame) {
        accumulators.putLatest(KEY, key, frame.fCnt(), Math.floorDiv(frame.receivedNs(), 1_000_000_000L),
                Math.floorMod(frame.receivedNs(), 1_000_000_000L));
    }
}
