package org.fieldgate.senml;

/**
 * The Strings of names and units a decoder has read, by their characters, so that the same name in the next record
 * or pack is the String already made instead of a new one (a node sends the same channel names and units every time):
 * fewer allocations per reading, and a String whose hash is known already. A fixed table, one String of at most
 * {@value #MAX_HELD_CHARS} characters per slot: a name that lands on a taken slot replaces it, so the table stays as
 * small as it was made (1,024 slots: at most about 300 KB).
 *
 * <p>Safe from several threads without a lock: a slot holds an immutable String or null, a reader that sees another
 * thread's String compares its characters before using it, and a lost write only costs a new String later.
 */
final class NameCache {
    /** Longer texts are no name of the contract (names at most 128, units fewer): made anew, never held. */
    static final int MAX_HELD_CHARS = 128;
    private final String[] slots;
    private final int mask;

    /** @param slots a power of two */
    NameCache(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("name cache slots = " + slots + ": a power of two");
        }
        this.slots = new String[slots];
        this.mask = slots - 1;
    }

    /** {@code new String(text, offset, length)}, or an equal String this cache made before. */
    String of(char[] text, int offset, int length) {
        if (length > MAX_HELD_CHARS) {
            return new String(text, offset, length);
        }
        int hash = 0;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + text[offset + i];
        }
        int slot = (hash ^ (hash >>> 16)) & mask;
        String held = slots[slot];
        if (held != null && held.length() == length && sameCharacters(held, text, offset)) {
            return held;
        }
        String made = new String(text, offset, length);
        slots[slot] = made;
        return made;
    }

    /** {@code text.substring(from, to)}, or an equal String this cache made before. */
    String of(String text, int from, int to) {
        if (to - from > MAX_HELD_CHARS) {
            return text.substring(from, to);
        }
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + text.charAt(i);
        }
        int slot = (hash ^ (hash >>> 16)) & mask;
        String held = slots[slot];
        if (held != null && held.length() == to - from && text.startsWith(held, from)) {
            return held;
        }
        String made = text.substring(from, to);
        slots[slot] = made;
        return made;
    }

    private static boolean sameCharacters(String held, char[] text, int offset) {
        for (int i = 0; i < held.length(); i++) {
            if (held.charAt(i) != text[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
