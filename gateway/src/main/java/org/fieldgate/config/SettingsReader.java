package org.fieldgate.config;

import io.micronaut.core.value.PropertyResolver;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads raw property strings and checks each one, collecting every problem so a technician sees them
 * all at once: "fieldgate.spool.max-bytes = 'lots': expected a byte size such as 67108864, 64MB or 1GB".
 */
final class SettingsReader {
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(B|KB|KIB|MB|MIB|GB|GIB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final PropertyResolver properties;
    private final List<String> problems = new ArrayList<>();

    SettingsReader(PropertyResolver properties) {
        this.properties = properties;
    }

    /** The value, or its default from {@link SettingDefaults} ("" for a setting unset by default). */
    String string(String name) {
        String fallback = SettingDefaults.of(name);
        return string(name, fallback == null ? "" : SettingDefaults.literal(name));
    }

    /** The value, or a fallback derived from other settings (a default in angle brackets in SettingDefaults). */
    String string(String name, String fallback) {
        SettingDefaults.requireKnown(name);
        return properties.getProperty(name, String.class).map(String::trim).orElse(fallback);
    }

    Optional<String> optional(String name) {
        SettingDefaults.requireKnown(name);
        return properties.getProperty(name, String.class).map(String::trim).filter(s -> !s.isEmpty());
    }

    String token(String name, Pattern allowed, String whatIsAllowed) {
        return token(name, SettingDefaults.literal(name), allowed, whatIsAllowed);
    }

    String token(String name, String fallback, Pattern allowed, String whatIsAllowed) {
        String value = string(name, fallback);
        if (!allowed.matcher(value).matches()) {
            problem(name, value, whatIsAllowed);
        }
        return value;
    }

    boolean bool(String name) {
        String fallback = SettingDefaults.literal(name);
        return bool(name, SettingDefaults.parsed(name,
                fallback.equals("true") ? Boolean.TRUE : fallback.equals("false") ? Boolean.FALSE : null));
    }

    private boolean bool(String name, boolean fallback) {
        String value = string(name, Boolean.toString(fallback)).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(name, value, "true or false");
                yield fallback;
            }
        };
    }

    /** @param schemes in the order they are named in the message (a List, so the message is the same every run) */
    /**
     * A URL without credentials: a {@code user:password@} part would be logged wherever the URL is (start-up,
     * every failed write), so it is refused with a pointer to the {@code username} and {@code password-file}
     * settings beside {@code name}. Problems show the URL with its credentials masked.
     */
    String uri(String name, List<String> schemes) {
        String value = string(name);
        String shown = withoutCredentials(value);
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || !schemes.contains(uri.getScheme()) || uri.getHost() == null) {
                problem(name, shown, "a URL with scheme " + String.join(" or ", schemes) + " and a host, e.g. "
                        + schemes.iterator().next() + "://127.0.0.1:" + (schemes.contains("http") ? "8086" : "1883"));
            } else if (uri.getRawUserInfo() != null) {
                String prefix = name.substring(0, name.lastIndexOf('.') + 1);
                refuse(name, shown, "credentials do not belong in the URL (it is logged); set " + prefix
                        + "username and put the password in a file named by " + prefix + "password-file (mode 0600)");
            }
        } catch (Exception e) {
            problem(name, shown, "a URL with scheme " + String.join(" or ", schemes) + " ("
                    + withoutCredentials(String.valueOf(e.getMessage())) + ")");
        }
        return value;
    }

    /** {@code scheme://user:secret@host} as {@code scheme://***@host}: nothing of the credentials is shown. */
    static String withoutCredentials(String url) {
        return url.replaceAll("(?<=//).*@", "***@");
    }

    long bytes(String name, long min, long max) {
        long fallback = SettingDefaults.parsed(name, parseBytes(SettingDefaults.literal(name)));
        String value = string(name);
        Long parsed = parseBytes(value);
        if (parsed == null) {
            problem(name, value, "a byte size such as 67108864, 64MB or 1GB, between " + min + " and " + max + " bytes");
            return fallback;
        }
        long result = parsed;
        if (result < min || result > max) {
            problem(name, value, "between " + min + " and " + max + " bytes");
            return fallback;
        }
        return result;
    }

    /** 67108864, 64MB, 1GB ... in bytes (Long.MAX_VALUE when it overflows); null when it is no byte size. */
    static Long parseBytes(String value) {
        Matcher m = BYTES.matcher(value.toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KB", "KIB" -> 1024L;
            case "MB", "MIB" -> 1024L * 1024;
            case "GB", "GIB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    int integer(String name, int min, int max) {
        return ranged(name, Integer.valueOf(SettingDefaults.literal(name)), Integer::valueOf, min, max,
                "a whole number");
    }

    double number(String name, double min, double max) {
        return ranged(name, Double.valueOf(SettingDefaults.literal(name)), Double::valueOf, min, max, "a number");
    }

    /** A value that parses and lies in [min, max]; otherwise one problem naming the range, and the fallback. */
    private <T extends Comparable<T>> T ranged(String name, T fallback, Function<String, T> parse, T min, T max,
                                               String kind) {
        String value = string(name);
        try {
            T result = parse.apply(value);
            if (result.compareTo(min) >= 0 && result.compareTo(max) <= 0) {
                return result;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the allowed range, which says more than the parser's message
        }
        problem(name, value, kind + " from " + min + " to " + max);
        return fallback;
    }

    Duration duration(String name, Duration min, Duration max) {
        Duration fallback = SettingDefaults.duration(name);
        String value = string(name);
        Duration result = parseDuration(value);
        if (result == null || result.compareTo(min) < 0 || result.compareTo(max) > 0) {
            problem(name, value, "a duration such as 500ms, 10s, 5m, 1h or 1d, from " + human(min) + " to " + human(max));
            return fallback;
        }
        return result;
    }

    /** 500ms, 10s, 5m, 1h, 1d; null when it is no duration. */
    static Duration parseDuration(String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    <E extends Enum<E>> E choice(String name, Class<E> type, Function<E, String> label) {
        E fallback = null;
        for (E candidate : type.getEnumConstants()) {
            if (label.apply(candidate).equals(SettingDefaults.literal(name))) {
                fallback = candidate;
            }
        }
        SettingDefaults.parsed(name, fallback);
        String value = string(name);
        for (E candidate : type.getEnumConstants()) {
            if (label.apply(candidate).equals(value)) {
                return candidate;
            }
        }
        List<String> labels = new ArrayList<>();
        for (E candidate : type.getEnumConstants()) {
            labels.add(label.apply(candidate));
        }
        problem(name, value, "one of " + String.join(", ", labels));
        return fallback;
    }

    /**
     * A file holding a secret (password, token): it must be a regular file only its owner may read or write,
     * since anyone else who can read it can act as the gateway. Returns its text less trailing line breaks,
     * or null when the property is unset or the file is refused.
     */
    String secretFile(String name) {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return null;
        }
        Path file = ownerOnlyFile(name, value.get());
        if (file == null) {
            return null;
        }
        try {
            String secret = Files.readString(file, StandardCharsets.UTF_8).replaceFirst("[\\r\\n]+$", "");
            if (secret.isEmpty()) {
                refuse(name, value.get(), "the file is empty");
                return null;
            }
            return secret;
        } catch (IOException e) {
            refuse(name, value.get(), "cannot be read (" + e.getMessage() + ")");
            return null;
        }
    }

    /** A secret given either inline ({@code name}) or in a file ({@code fileName}), not both. */
    String secret(String name, String fileName) {
        Optional<String> inline = optional(name);
        String fromFile = secretFile(fileName);
        if (inline.isPresent() && optional(fileName).isPresent()) {
            refuse(fileName, optional(fileName).get(), name + " is set too; set only one of them");
            return null;
        }
        return inline.orElse(fromFile);
    }

    /** A private key or secret file's path, after checking it is a regular file without group or other access. */
    Path ownerOnlyFile(String name, String value) {
        Path file = readableFile(name, value);
        if (file == null) {
            return null;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            int mode = 0;
            for (PosixFilePermission p : perms) {
                mode |= 1 << (8 - p.ordinal());
            }
            if ((mode & 077) != 0) {
                String who = (mode & 004) != 0 ? "lets others read it"
                        : (mode & 040) != 0 ? "lets its group read it"
                        : "gives its group or others access";
                refuse(name, value, String.format("mode %04o %s; chmod 600", mode, who));
                return null;
            }
        } catch (UnsupportedOperationException e) {
            // no POSIX permissions on this file system: nothing to check against
        } catch (IOException e) {
            refuse(name, value, "cannot read its permissions (" + e.getMessage() + ")");
            return null;
        }
        return file;
    }

    /** An optional path to an existing, readable regular file (certificates); null when unset or refused. */
    Path file(String name) {
        return optional(name).map(value -> readableFile(name, value)).orElse(null);
    }

    private Path readableFile(String name, String value) {
        Path file = Path.of(value);
        if (!Files.exists(file)) {
            refuse(name, value, "no such file");
        } else if (!Files.isRegularFile(file)) {
            refuse(name, value, "not a regular file");
        } else if (!Files.isReadable(file)) {
            refuse(name, value, "the gateway's user (" + System.getProperty("user.name") + ") cannot read it");
        } else {
            return file;
        }
        return null;
    }

    /** Runs a check of a file's content; its failure becomes this property's problem. */
    void check(String name, Path file, FileCheck check) {
        if (file == null) {
            return;
        }
        try {
            check.run(file);
        } catch (IOException | GeneralSecurityException e) {
            refuse(name, file.toString(), e.getMessage());
        }
    }

    interface FileCheck {
        void run(Path file) throws IOException, GeneralSecurityException;
    }

    void problem(String name, String value, String whatIsAllowed) {
        refuse(name, value, "expected " + whatIsAllowed);
    }

    /** A problem in the one-line form "name = 'value': why". */
    void refuse(String name, String value, String why) {
        problems.add(name + " = '" + value + "': " + why);
    }

    void throwIfInvalid() {
        if (!problems.isEmpty()) {
            throw new InvalidSettingException(problems);
        }
    }

    private static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        if (d.toSeconds() >= 86_400 && d.toSeconds() % 86_400 == 0) {
            return d.toDays() + "d";
        }
        return d.toSeconds() + "s";
    }
}
