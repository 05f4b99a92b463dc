package org.fieldgate.web;

import org.fieldgate.acquire.DriverQc;
import org.fieldgate.acquire.time.TimeQc;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QcWordsTest {
    @Test
    void bitsBecomeTheWireContractsWordsSourceByteFirst() {
        assertEquals(List.of(), QcWords.of(0));
        assertEquals(List.of("OUT_OF_RANGE", "CLOCK_UNSYNCED"), QcWords.of(DriverQc.OUT_OF_RANGE | TimeQc.CLOCK_UNSYNCED));
        assertEquals(List.of("STATUS_WARNING", "STUCK_VALUE", "CLOCK_UNSYNCED", "CLOCK_JUMP"),
                QcWords.of(1 | 4 | 256 | 1024));
        assertEquals(List.of("REDATED"), QcWords.of(512));
        assertEquals(List.of("BIT7", "BIT11", "BIT31"), QcWords.of(128 | 2048 | Integer.MIN_VALUE));
    }
}
