package org.fieldgate.export;

import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.InvalidSettingException;
import org.fieldgate.config.SettingsFactory;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.site.InvalidSiteConfigException;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.Spool;

/**
 * {@code gateway/fieldgate export}: exports windows on demand against the spool and InfluxDB the gateway's settings
 * name (application.yml, -D, FIELDGATE_* variables), or checks an export folder against its manifest. Exit codes: 0
 * done, 1 verification failed or export failed, 2 bad setting or site file (or none named: an export must describe
 * the site's configuration), 3 a window is not closed yet (without
 * {@code --force}), 64 bad usage.
 */
public final class ExportCli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_SETTING = 2;
    public static final int NOT_CLOSED = 3;
    public static final int USAGE = 64;

    private static final String USAGE_TEXT = String.join("\n",
            "usage: export --from DAY --to DAY [--out DIR] [--force]",
            "         exports [from, to) (DAY: 2026-11-01, local midnight in the first site file's time zone, or an",
            "         instant such as 2026-11-01T00:00:00Z), split into fieldgate.export.window windows when it is",
            "         made of whole ones, into DIR (default fieldgate.export.outbox, where the running gateway",
            "         delivers it to fieldgate.export.endpoint). Unchanged windows are left as they were.",
            "         --force: export even if data before the window's end still waits in the spool",
            "       export verify DIR... [--key gateway.pub.pem]",
            "         checks export windows as a chain (DIR: a window folder or an outbox of them): every file",
            "         against manifest.json, manifest.json.sig by the key (the first window's own gateway.pub.pem",
            "         without --key, which proves consistency, not origin), each window naming the previous one",
            "       export --help",
            "Exit: 0 ok, 1 failed, 2 bad setting, 3 window not closed yet, 64 bad usage.");

    private ExportCli() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.exit(run(args, out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length >= 1 && (args[0].equals("help") || List.of(args).contains("--help")
                || List.of(args).contains("-h"))) {
            out.println(USAGE_TEXT);
            return OK;
        }
        if (args.length >= 1 && args[0].equals("verify")) {
            return verify(List.of(args).subList(1, args.length), out, err);
        }
        String from = null;
        String to = null;
        Path dir = null;
        boolean force = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--force")) {
                force = true;
                continue;
            }
            if (i + 1 >= args.length || !List.of("--from", "--to", "--out").contains(a)) {
                err.println("unknown or incomplete option '" + a + "'\n" + USAGE_TEXT);
                return USAGE;
            }
            String v = args[++i];
            switch (a) {
                case "--from" -> from = v;
                case "--to" -> to = v;
                default -> dir = Path.of(v);
            }
        }
        if (from == null || to == null) {
            err.println("--from and --to are required\n" + USAGE_TEXT);
            return USAGE;
        }
        GatewaySettings settings;
        List<SiteConfig> sites = new ArrayList<>();
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).build()) {
            context.getEnvironment().start();
            settings = SettingsFactory.read(context.getEnvironment());
            for (Path file : settings.siteConfigs()) {
                sites.add(SiteConfigs.loadOrThrow(file, SiteConfigs.defaultModelsDir(file)));
            }
        } catch (InvalidSettingException | InvalidSiteConfigException e) {
            err.println(e.getMessage());
            return BAD_SETTING;
        }
        if (sites.isEmpty()) {
            // without the site files the ledger, the gaps and config_sha256 would describe nothing, and verify would pass it
            err.println("export: fieldgate.site-config names no site file, so the export could not describe this site; set it in"
                    + " application.yml (MICRONAUT_CONFIG_FILES), FIELDGATE_SITE_CONFIG or -Dfieldgate.site-config"
                    + " (from a checkout: gateway/fieldgate export --demo ... uses the demo's settings)");
            return BAD_SETTING;
        }
        ZoneId zone = sites.get(0).timezone();
        List<ExportWindow> windows;
        try {
            windows = windows(instant(from, zone, "--from"), instant(to, zone, "--to"), settings, zone);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return USAGE;
        }
        Path target = dir != null ? dir : settings.export().outbox();
        try (Spool spool = Spool.besideGateway(settings.spool().dir(), settings.spool().maxBytes(), settings.spool().fullPolicy(),
                InfluxLines::gap);
             ExportStage stage = new ExportStage(settings, sites, spool, Clock.systemUTC())) {
            Exporter.Closure closure = stage.closure();
            for (ExportWindow w : windows) {
                String why = closure.notClosedBecause(w);
                if (why != null && !force) {
                    err.println("window " + w.id() + " (" + w + ") is not closed: " + why + "; --force exports it anyway");
                    return NOT_CLOSED;
                }
                Exporter.Outcome outcome = stage.exporter().export(w, target);
                Manifest m = Manifest.read(target.resolve(w.id()));
                out.println(target.resolve(w.id()) + " " + outcome.name().toLowerCase(java.util.Locale.ROOT)
                        + " content_sha256=" + m.contentSha256() + " rows=" + m.rowCounts());
            }
        } catch (IOException | RuntimeException e) {
            err.println("export failed: " + e.getMessage());
            return FAILED;
        }
        return OK;
    }

    private static int verify(List<String> args, PrintStream out, PrintStream err) {
        List<Path> dirs = new ArrayList<>();
        Path keyFile = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--key")) {
                if (i + 1 >= args.size()) {
                    err.println("--key needs a file\n" + USAGE_TEXT);
                    return USAGE;
                }
                keyFile = Path.of(args.get(++i));
            } else {
                dirs.add(Path.of(args.get(i)));
            }
        }
        if (dirs.isEmpty()) {
            err.println("export verify needs at least one folder\n" + USAGE_TEXT);
            return USAGE;
        }
        String keySource;
        java.security.PublicKey key;
        try {
            if (keyFile == null) {
                List<Path> windows = ChainVerify.windowFolders(dirs);
                if (windows.isEmpty()) {
                    err.println("no export window (a folder with " + Manifest.FILE + ") in " + dirs);
                    return FAILED;
                }
                keyFile = windows.get(0).resolve(GatewayKeys.PUBLIC);
                err.println("note: no --key given: using " + keyFile + " from the export itself (key "
                        + GatewayKeys.fingerprint(GatewayKeys.readPublic(keyFile)) + "); compare it with `fieldgate key"
                        + " show` on the gateway, or pass --key, to know who signed");
            }
            key = GatewayKeys.readPublic(keyFile);
            keySource = keyFile.toString();
        } catch (IOException e) {
            err.println("export verify: " + e.getMessage());
            return FAILED;
        }
        ChainVerify.Result result = ChainVerify.verify(dirs, key, keySource);
        result.windows().forEach(out::println);
        result.problems().forEach(err::println);
        return result.ok() ? OK : FAILED;
    }

    private static Instant instant(String text, ZoneId zone, String option) {
        try {
            return text.contains("T") ? Instant.parse(text) : LocalDate.parse(text).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " '" + text + "': expected a day such as 2026-11-01 or an "
                    + "instant such as 2026-11-01T00:00:00Z");
        }
    }

    /** The configured windows that make up [from, to), or that range as one window when it is not made of them. */
    static List<ExportWindow> windows(Instant from, Instant to, GatewaySettings settings, ZoneId zone) {
        ExportWindow whole = new ExportWindow(from, to);
        List<ExportWindow> split = ExportWindow.closedBetween(from, to, settings.export().window(), zone);
        if (!split.isEmpty() && split.get(0).from().equals(from) && split.get(split.size() - 1).to().equals(to)) {
            return split;
        }
        return List.of(whole);
    }
}
