package org.fieldgate.acquire.time;

/**
 * The wall clock moved by more than the threshold relative to the monotonic clock between two looks.
 *
 * @param bootId           the boot
 * @param monotonicNs      monotonic time at which it was seen
 * @param previousWallNs   system wall clock at the previous look
 * @param wallNs           system wall clock now
 * @param jumpNs           (wall delta) - (monotonic delta): positive = the clock jumped forward
 * @param wasTrusted       whether the time keeper trusted the clock before the jump
 */
public record ClockJump(String bootId, long monotonicNs, long previousWallNs, long wallNs, long jumpNs,
                        boolean wasTrusted) {
}
