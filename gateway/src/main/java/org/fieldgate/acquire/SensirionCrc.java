package org.fieldgate.acquire;

/**
 * The CRC-8 every Sensirion I2C chip puts after each 16-bit word: polynomial 0x31 (x^8 + x^5 + x^4 + 1),
 * initialisation 0xFF, no reflection, no final XOR (SCD30 interface description section 1.1.3, SCD4x datasheet
 * section 3.11, SDP8xx datasheet section 5.4; all give CRC(0xBEEF) = 0x92).
 */
public final class SensirionCrc {
    private SensirionCrc() {
    }

    public static int crc8(int msb, int lsb) {
        int crc = 0xFF;
        for (int b : new int[] {msb & 0xFF, lsb & 0xFF}) {
            crc ^= b;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x31) & 0xFF : (crc << 1) & 0xFF;
            }
        }
        return crc;
    }

    /** {@code word} as the three bytes on the wire: MSB, LSB, CRC. */
    public static byte[] frame(int word) {
        return new byte[] {(byte) (word >> 8), (byte) word, (byte) crc8(word >> 8, word)};
    }
}
