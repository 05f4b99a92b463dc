package org.fieldgate.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The names (site, device, channel, unit, calibration) of one batch read from the spool: one String per distinct
 * name, found by the UTF-8 bytes sqlite-jdbc hands out. Its {@code getString} cost a JNI call that builds a direct
 * ByteBuffer, then a decode, per column (about 250 ns); {@code getBytes} half that, and a name seen before in the
 * batch is neither decoded nor hashed as a String again. Open addressing, linear probing; one per batch, one thread.
 */
final class BatchNames {
    private byte[][] keys = new byte[64][];
    private String[] names = new String[64];
    private int size;

    /** The String of these UTF-8 bytes, the same one for equal bytes; null stays null. */
    String of(byte[] utf8) {
        if (utf8 == null) {
            return null;
        }
        int mask = keys.length - 1;
        for (int i = hash(utf8) & mask; ; i = i + 1 & mask) {
            byte[] key = keys[i];
            if (key == null) {
                String name = new String(utf8, StandardCharsets.UTF_8);
                keys[i] = utf8;
                names[i] = name;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return name;
            }
            if (Arrays.equals(key, utf8)) {
                return names[i];
            }
        }
    }

    /** Distinct names held. */
    int size() {
        return size;
    }

    private static int hash(byte[] utf8) {
        int h = Arrays.hashCode(utf8);
        return h ^ h >>> 16;
    }

    private void grow() {
        byte[][] oldKeys = keys;
        String[] oldNames = names;
        keys = new byte[oldKeys.length * 2][];
        names = new String[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = hash(oldKeys[j]) & mask;
                while (keys[i] != null) {
                    i = i + 1 & mask;
                }
                keys[i] = oldKeys[j];
                names[i] = oldNames[j];
            }
        }
    }
}
