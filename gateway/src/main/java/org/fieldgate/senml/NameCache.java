package org.fieldgate.senml;

/**
 * The Strings of names and units a decoder has read, by their characters, so that the same name in the next record
 * or pack is the String already made instead of a new one (a node sends the same channel names and units every time):
 * fewer allocations per reading, a String whose hash is known already, and, further on, maps keyed by series (the
 * hourly counts, the live page's latest readings) that compare names by reference instead of by characters. A fixed
 * table, one String of at most {@value #MAX_HELD_CHARS} characters per slot, the slots in sets of {@value #WAYS}
 * ({@value #WAYS}-way): a name is looked for in the slots of its set; a new one goes into the first and moves the
 * others one on (the last one's drops out), so the table stays as small as it was made (the decoder's topics 8,192 slots, its records' names and units 4,096: 32 and
 * 16 KB of references, names of at most 128 characters).
 *
 * <p>Why sets and a mixed hash: with one slot per name and the String hash's low bits, 1,000 devices named
 * {@code node-0} to {@code node-999} fell on 395 of 1,024 slots, so 851 of them pushed each other out and every
 * message made its device's String anew (and the maps behind compared it by characters). With pairs (two-way), the
 * benchmark's single-reading load ({@code "bn":"dev-0/"} .. {@code "dev-999/"}, ten channels, eight units in 4,096
 * slots) still put three names in two pairs ({@code dev-501/}, {@code dev-856/} and {@code Cel}; {@code dev-414/},
 * {@code dev-769/} and {@code m3/s}), which then pushed each other out in turn: a quarter of the records made their unit
 * anew.
 *
 * <p>Safe from several threads without a lock: a slot holds an immutable String or null, a reader that sees another
 * thread's String compares its characters before using it, and a lost write only costs a new String later.
 */
final class NameCache {
    /** Longer texts are no name of the contract (names at most 128, units fewer): made anew, never held. */
    static final int MAX_HELD_CHARS = 128;
    /** Slots per set. */
    static final int WAYS = 4;
    private final String[] slots;
    private final int setShift;

    /** @param slots a power of two, at least {@value #WAYS} */
    NameCache(int slots) {
        if (Integer.bitCount(slots) != 1 || slots < WAYS) {
            throw new IllegalArgumentException("name cache slots = " + slots + ": a power of two, at least " + WAYS);
        }
        this.slots = new String[slots];
        this.setShift = 32 - Integer.numberOfTrailingZeros(slots / WAYS);
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
        int first = firstSlot(hash);
        for (int slot = first; slot < first + WAYS; slot++) {
            String held = slots[slot];
            if (held != null && held.length() == length && sameCharacters(held, text, offset)) {
                return held;
            }
        }
        return kept(first, new String(text, offset, length));
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
        int first = firstSlot(hash);
        for (int slot = first; slot < first + WAYS; slot++) {
            String held = slots[slot];
            if (held != null && held.length() == to - from && text.startsWith(held, from)) {
                return held;
            }
        }
        return kept(first, text.substring(from, to));
    }

    /** The first slot of the hash's set: the top bits of the hash times 2^32 / phi (Fibonacci hashing), times the ways. */
    private int firstSlot(int hash) {
        return setShift == 32 ? 0 : ((hash * 0x9E3779B9) >>> setShift) * WAYS;
    }

    /** {@code made} goes into its set's first slot, the names there one slot on (the set's oldest drops out). */
    private String kept(int first, String made) {
        System.arraycopy(slots, first, slots, first + 1, WAYS - 1);
        slots[first] = made;
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
