package org.fieldgate.acquire.modbus;

/**
 * CRC-16/MODBUS: polynomial 0x8005 reflected (0xA001), initial value 0xFFFF, no final XOR; sent low byte first.
 * "MODBUS over Serial Line Specification and Implementation Guide V1.02" (modbus.org, 2006), section 2.5.1.2
 * and appendix B. Check value over ASCII "123456789": 0x4B37.
 */
public final class ModbusCrc {
    private ModbusCrc() {
    }

    public static int crc16(byte[] data, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        return crc;
    }

    /** {@code pdu} with its CRC appended, low byte first, as it goes on the wire. */
    public static byte[] frame(byte... adu) {
        int crc = crc16(adu, 0, adu.length);
        byte[] out = java.util.Arrays.copyOf(adu, adu.length + 2);
        out[adu.length] = (byte) crc;
        out[adu.length + 1] = (byte) (crc >>> 8);
        return out;
    }

    /** Whether the last two bytes of {@code frame} are the CRC of the rest. */
    public static boolean valid(byte[] frame) {
        if (frame.length < 3) {
            return false;
        }
        int crc = crc16(frame, 0, frame.length - 2);
        return (frame[frame.length - 2] & 0xFF) == (crc & 0xFF) && (frame[frame.length - 1] & 0xFF) == crc >>> 8;
    }
}
