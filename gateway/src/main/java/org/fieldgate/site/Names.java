package org.fieldgate.site;

import java.util.Collection;
import java.util.regex.Pattern;

/** Name rules shared by sites and models, and the "did you mean" suggestion for misspelt keys and ids. */
final class Names {
    /** Site, device (probe) and bus names: as MQTT topic levels (WIRE-CONTRACT.md). */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final String ID_ALLOWED = "letters, digits, '_', '.', '-' (1-64 characters)";
    /** Channel names: SenML name characters, first a letter or digit, at most 128. */
    static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:./_-]{0,127}");
    static final String CHANNEL_ALLOWED = "a SenML name: letters, digits, '- : . / _', first a letter or digit, at most 128";

    private Names() {
    }

    /** The closest candidate within a small edit distance, or null. */
    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(java.util.Locale.ROOT);
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int limit = Math.max(1, Math.min(3, word.length() / 3));
        return best != null && bestDistance <= limit ? best : null;
    }

    /** "; did you mean 'x'?" when something is close, else "". */
    static String didYouMean(String word, Collection<String> candidates) {
        String c = closest(word, candidates);
        return c == null ? "" : "; did you mean '" + c + "'?";
    }

    /** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
