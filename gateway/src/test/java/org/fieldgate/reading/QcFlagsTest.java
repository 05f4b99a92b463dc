package org.fieldgate.reading;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QcFlagsTest {
    @Test
    void bitsBecomeTheWireContractsWordsSourceByteFirst() {
        assertEquals(List.of(), QcFlags.words(0));
        assertEquals(List.of("OUT_OF_RANGE", "CLOCK_UNSYNCED"), QcFlags.words(QcFlags.OUT_OF_RANGE | QcFlags.CLOCK_UNSYNCED));
        assertEquals(List.of("STATUS_WARNING", "STUCK_VALUE", "CLOCK_UNSYNCED", "CLOCK_JUMP"),
                QcFlags.words(1 | 4 | 256 | 1024));
        assertEquals(List.of("REDATED"), QcFlags.words(512));
        assertEquals(List.of("BIT7", "BIT12", "BIT31"), QcFlags.words(128 | 4096 | Integer.MIN_VALUE));
    }

    /** Stored in spools and InfluxDB and carried in SenML: a renumbered bit would change what old data means. */
    @Test
    void bitValuesAreTheStoredOnes() {
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64), List.of(QcFlags.STATUS_WARNING, QcFlags.OUT_OF_RANGE,
                QcFlags.STUCK_VALUE, QcFlags.CRC_RETRIED, QcFlags.WARMING_UP, QcFlags.LOOP_FAULT, QcFlags.REINITIALISED));
        assertEquals(List.of(0x100, 0x200, 0x400), List.of(QcFlags.CLOCK_UNSYNCED, QcFlags.REDATED, QcFlags.CLOCK_JUMP));
        assertEquals(0xFF, QcFlags.SOURCE_MASK);
        assertEquals(0x700, QcFlags.TIME_MASK);
        assertEquals(0x7FF, QcFlags.WIRE_MASK);
    }

    @Test
    void describeJoinsTheNamesOrSaysClean() {
        assertEquals("clean", QcFlags.describe(0));
        assertEquals("OUT_OF_RANGE|LOOP_FAULT|CLOCK_UNSYNCED",
                QcFlags.describe(QcFlags.OUT_OF_RANGE | QcFlags.LOOP_FAULT | QcFlags.CLOCK_UNSYNCED));
    }
}
