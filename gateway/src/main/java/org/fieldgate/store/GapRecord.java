package org.fieldgate.store;

/** A stretch of a series without readings, and why (table {@code gap}). Times in ns since the epoch. */
public record GapRecord(long id, long recordedNs, String site, String device, String channel, long firstTimeNs,
                        long lastTimeNs, long readings, String cause) {
}
