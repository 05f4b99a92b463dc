package org.fieldgate.lorawan;

import java.util.Map;

/**
 * Where each device's last frame counter and its receive time are kept, so that after a restart a duplicate uplink
 * (the same frame counter at another receive time) is still dropped and the next uplink is not taken for lost ones
 * or a reset. In the gateway: the spool ({@code pipeline.SpoolFrameCounters}).
 */
public interface FrameCounterStore {
    /** One device's last frame: its counter and when the network received it (ns since the epoch). */
    record LastFrame(long fCnt, long receivedNs) {
    }

    /** Every device's last frame, by the decoder's key ({@code network/application/device}). */
    Map<String, LastFrame> load();

    /** Records {@code key}'s last frame; durable when it returns. */
    void save(String key, LastFrame frame);

    /** Kept in memory only (tests, tools): a restart starts afresh. */
    static FrameCounterStore inMemory() {
        return new FrameCounterStore() {
            @Override
            public Map<String, LastFrame> load() {
                return Map.of();
            }

            @Override
            public void save(String key, LastFrame frame) {
            }
        };
    }
}
