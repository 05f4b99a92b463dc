package org.fieldgate.acquire.sdi12;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Sdi12CrcTest {
    @Test
    void specExample() {
        // SDI-12 v1.4 section 4.4.12: "0+3.14OqZ<CR><LF>"
        assertEquals(0xFC5A, Sdi12Crc.crc16("0+3.14"));
        assertEquals("OqZ", Sdi12Crc.encode("0+3.14"));
        assertTrue(Sdi12Crc.valid("0+3.14OqZ"));
        assertFalse(Sdi12Crc.valid("0+3.15OqZ"));
        assertFalse(Sdi12Crc.valid("OqZ"));
    }

    @Test
    void checkValue() {
        assertEquals(0xBB3D, Sdi12Crc.crc16("123456789")); // CRC-16/ARC catalogue check value
    }
}
