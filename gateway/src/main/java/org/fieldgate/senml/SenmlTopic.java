package org.fieldgate.senml;

import java.util.regex.Pattern;

/**
 * The site and device of a topic {@code fieldgate/<site>/<device>/senml}, each a name of the wire contract
 * (firmware-config/WIRE-CONTRACT.md): 1-64 letters, digits, {@code _ . -}. They become InfluxDB tags and series,
 * so anything else (a space, comma, '=', quote, backslash, a 5,000-character name) is refused here rather than
 * turning into a stray series or an InfluxDB 400 that would hold up every reading behind it.
 */
public record SenmlTopic(String site, String device) {
    private static final Pattern TOPIC = Pattern.compile("fieldgate/([^/]*)/([^/]*)/senml", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int SHOWN_CHARS = 80;

    /** @throws IllegalArgumentException naming the part of the topic that is wrong and its value */
    public static SenmlTopic parse(String topic) {
        var match = TOPIC.matcher(topic);
        if (!match.matches()) {
            throw new IllegalArgumentException("topic '" + shown(topic) + "' is not fieldgate/<site>/<device>/senml");
        }
        String site = match.group(1);
        String device = match.group(2);
        check("site", site);
        check("device", device);
        return new SenmlTopic(site, device);
    }

    private static void check(String field, String value) {
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("topic's " + field + " '" + shown(value) + "'"
                    + (value.length() > 64 ? " (" + value.length() + " characters)" : "")
                    + " is not a name: 1-64 letters, digits, '_', '.' or '-' (wire contract)");
        }
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
