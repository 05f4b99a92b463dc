package org.fieldgate.acquire.sdi12;

import java.nio.charset.StandardCharsets;

/**
 * The SDI-12 response CRC: "SDI-12 A Serial-Digital Interface Standard for Microprocessor-Based Sensors,
 * Version 1.4" (SDI-12 Support Group, 2023), section 4.4.12. CRC-16 with polynomial 0xA001 (reflected 0x8005,
 * i.e. CRC-16/ARC), initial value 0, over every character of the response from the address up to the last
 * character before the CRC; sent as three printable ASCII characters, six bits each:
 * {@code 0x40 | crc >> 12}, {@code 0x40 | (crc >> 6) & 0x3F}, {@code 0x40 | crc & 0x3F}.
 */
public final class Sdi12Crc {
    private Sdi12Crc() {
    }

    public static int crc16(String s) {
        int crc = 0;
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
            crc ^= b & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        return crc;
    }

    /** The three CRC characters for {@code response} (address and values, without CRC and CR LF). */
    public static String encode(String response) {
        int crc = crc16(response);
        return new String(new char[] {(char) (0x40 | crc >> 12), (char) (0x40 | (crc >> 6) & 0x3F),
                (char) (0x40 | crc & 0x3F)});
    }

    /** Whether {@code line} (without CR LF) ends in the right three CRC characters. */
    public static boolean valid(String line) {
        return line.length() > 3 && encode(line.substring(0, line.length() - 3))
                .equals(line.substring(line.length() - 3));
    }
}
