package org.fieldgate.web;

import org.fieldgate.acquire.DriverQc;
import org.fieldgate.acquire.time.TimeQc;

import java.util.ArrayList;
import java.util.List;

/** A reading's qc bits as the words a technician reads (wire contract: bits 0-7 the source's, 8-10 time). */
final class QcWords {
    private QcWords() {
    }

    /** E.g. [OUT_OF_RANGE, CLOCK_UNSYNCED]; empty when clean. Bits nobody defines show as BIT11 and so on. */
    static List<String> of(int qc) {
        List<String> words = new ArrayList<>();
        for (String part : (DriverQc.describe(qc & DriverQc.MASK) + "|" + TimeQc.describe(qc)).split("\\|")) {
            if (!part.equals("clean")) {
                words.add(part);
            }
        }
        for (int bit = 11; bit < 32; bit++) {
            if ((qc & (1 << bit)) != 0) {
                words.add("BIT" + bit);
            }
        }
        return words;
    }
}
