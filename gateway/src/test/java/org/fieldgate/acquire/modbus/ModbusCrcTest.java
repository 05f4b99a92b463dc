package org.fieldgate.acquire.modbus;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModbusCrcTest {
    @Test
    void checkValue() {
        byte[] s = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x4B37, ModbusCrc.crc16(s, 0, s.length)); // CRC-16/MODBUS catalogue check value
    }

    @Test
    void readHoldingRegistersExampleFrame() {
        // slave 1, function 03, 10 registers from 0: the CRC goes out low byte first, C5 CD
        byte[] f = ModbusCrc.frame((byte) 1, (byte) 3, (byte) 0, (byte) 0, (byte) 0, (byte) 0x0A);
        assertArrayEquals(new byte[] {1, 3, 0, 0, 0, 0x0A, (byte) 0xC5, (byte) 0xCD}, f);
        assertTrue(ModbusCrc.valid(f));
        f[3] ^= 1;
        assertFalse(ModbusCrc.valid(f));
    }
}
