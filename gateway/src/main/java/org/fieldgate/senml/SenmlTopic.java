package org.fieldgate.senml;

/**
 * The site and device of a topic {@code fieldgate/<site>/<device>/senml}, each a name of the wire contract
 * (firmware-config/WIRE-CONTRACT.md): 1-64 letters, digits, {@code _ . -}. They become InfluxDB tags and series,
 * so anything else (a space, comma, '=', quote, backslash, a 5,000-character name) is refused here rather than
 * turning into a stray series or an InfluxDB 400 that would hold up every reading behind it.
 */
public record SenmlTopic(String site, String device) {
    private static final String PREFIX = "fieldgate/";
    private static final String SUFFIX = "/senml";
    private static final int SHOWN_CHARS = 80;

    /** @throws IllegalArgumentException naming the part of the topic that is wrong and its value */
    public static SenmlTopic parse(String topic) {
        return parse(topic, null);
    }

    /** As {@link #parse(String)}, the site and device taken from {@code names} when it holds them (null: new ones). */
    static SenmlTopic parse(String topic, NameCache names) {
        // by hand, not two regular expressions: this runs once per MQTT message
        int siteEnd = topic.indexOf('/', PREFIX.length());
        int deviceEnd = siteEnd < 0 ? -1 : topic.indexOf('/', siteEnd + 1);
        if (!topic.startsWith(PREFIX) || deviceEnd < 0 || topic.length() != deviceEnd + SUFFIX.length()
                || !topic.startsWith(SUFFIX, deviceEnd)) {
            throw new IllegalArgumentException("topic '" + shown(topic) + "' is not fieldgate/<site>/<device>/senml");
        }
        String site = names == null ? topic.substring(PREFIX.length(), siteEnd) : names.of(topic, PREFIX.length(), siteEnd);
        String device = names == null ? topic.substring(siteEnd + 1, deviceEnd) : names.of(topic, siteEnd + 1, deviceEnd);
        check("site", site);
        check("device", device);
        return new SenmlTopic(site, device);
    }

    private static void check(String field, String value) {
        if (!isName(value)) {
            throw new IllegalArgumentException("topic's " + field + " '" + shown(value) + "'"
                    + (value.length() > 64 ? " (" + value.length() + " characters)" : "")
                    + " is not a name: 1-64 letters, digits, '_', '.' or '-' (wire contract)");
        }
    }

    /** 1-64 of {@code [A-Za-z0-9_.-]}. */
    private static boolean isName(String value) {
        int n = value.length();
        if (n < 1 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Short, and with control characters visible, for a log line or a dead letter's reason. */
    public static String shown(String text) {
        String cut = text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS - 3) + "...";
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
