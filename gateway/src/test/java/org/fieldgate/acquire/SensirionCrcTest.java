package org.fieldgate.acquire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SensirionCrcTest {
    @Test
    void matchesTheDatasheetExample() {
        // every Sensirion datasheet gives this one: CRC-8(0xBEEF) = 0x92
        assertEquals(0x92, SensirionCrc.crc8(0xBE, 0xEF));
        // and the argument "0" of the SCD30 trigger command goes out as 00 00 81
        assertEquals(0x81, SensirionCrc.crc8(0x00, 0x00));
    }
}
