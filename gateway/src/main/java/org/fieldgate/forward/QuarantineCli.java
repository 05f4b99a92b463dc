package org.fieldgate.forward;

import io.micronaut.context.ApplicationContext;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.InvalidSettingException;
import org.fieldgate.config.SettingsFactory;
import org.fieldgate.store.QuarantineStore;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gateway/fieldgate quarantine list|replay}: the readings InfluxDB refused for their content, in the spool the
 * gateway's settings name (application.yml, -D, FIELDGATE_* variables). {@code replay} writes them to InfluxDB again
 * (once the cause is fixed, e.g. a field type conflict dropped): the ones it takes leave the quarantine and count as
 * delivered in the ledger; the ones it still refuses stay, with the reason printed. Safe while the gateway runs.
 * Exit codes: 0 done (replay: every one landed), 1 some still refused or InfluxDB not answering, 2 bad setting, 64 usage.
 */
public final class QuarantineCli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_SETTING = 2;
    public static final int USAGE = 64;
    private static final int CHUNK = 1000;

    private static final String USAGE_TEXT = String.join("\n",
            "usage: quarantine list [--limit N]",
            "         the quarantined readings, oldest first (default the first 100), and the total ever quarantined",
            "       quarantine replay",
            "         writes every quarantined reading to InfluxDB again; those it takes leave the quarantine",
            "Exit: 0 ok, 1 some still refused or failed, 2 bad setting, 64 bad usage.");

    private QuarantineCli() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.exit(run(args, out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean list = args.length >= 1 && args[0].equals("list");
        boolean replay = args.length == 1 && args[0].equals("replay");
        int limit = 100;
        if (list && args.length == 3 && args[1].equals("--limit")) {
            try {
                limit = Integer.parseInt(args[2]);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1) {
                err.println("--limit '" + args[2] + "': expected a whole number from 1\n" + USAGE_TEXT);
                return USAGE;
            }
        } else if (list && args.length != 1) {
            list = false;
        }
        if (!list && !replay) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        GatewaySettings settings;
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).build()) {
            context.getEnvironment().start();
            settings = SettingsFactory.read(context.getEnvironment());
        } catch (InvalidSettingException e) {
            err.println(e.getMessage());
            return BAD_SETTING;
        }
        try (Spool spool = Spool.besideGateway(settings.spool().dir(), settings.spool().maxBytes(), settings.spool().fullPolicy(),
                InfluxLines::gap)) {
            return list ? list(spool.quarantine(), limit, out) : replay(spool.quarantine(), settings, out, err);
        } catch (RuntimeException e) {
            err.println("quarantine " + args[0] + " failed: " + e.getMessage());
            return FAILED;
        }
    }

    private static int list(QuarantineStore quarantine, int limit, PrintStream out) {
        List<QuarantineStore.QuarantinedReading> rows = quarantine.after(0, limit);
        out.println("quarantined now: " + count(quarantine) + "; ever: " + quarantine.total());
        out.println("id\tquarantined_at\tsite/device/channel\ttime\tvalue\tunit\tqc\treason");
        for (QuarantineStore.QuarantinedReading q : rows) {
            var r = q.reading();
            out.println(q.id() + "\t" + Instant.ofEpochSecond(0, q.quarantinedNs()) + "\t" + r.site() + "/" + r.device()
                    + "/" + r.channel() + "\t" + Instant.ofEpochSecond(0, r.timeNs()) + "\t" + r.value() + "\t" + r.unit()
                    + "\t" + r.qc() + "\t" + q.reason());
        }
        return OK;
    }

    private static long count(QuarantineStore quarantine) {
        long n = 0;
        long after = 0;
        for (List<QuarantineStore.QuarantinedReading> chunk = quarantine.after(after, CHUNK); !chunk.isEmpty();
             chunk = quarantine.after(after, CHUNK)) {
            n += chunk.size();
            after = chunk.get(chunk.size() - 1).id();
        }
        return n;
    }

    private static int replay(QuarantineStore quarantine, GatewaySettings settings, PrintStream out, PrintStream err) {
        long landed = 0;
        long refusedTotal = 0;
        long after = 0;
        try (InfluxWriter writer = new InfluxWriter(settings.influx(), settings.forward().minBackoff())) {
            for (List<QuarantineStore.QuarantinedReading> chunk = quarantine.after(after, CHUNK); !chunk.isEmpty();
                 chunk = quarantine.after(after, CHUNK)) {
                after = chunk.get(chunk.size() - 1).id();
                List<SpooledReading> readings = new ArrayList<>(chunk.size());
                for (QuarantineStore.QuarantinedReading q : chunk) {
                    readings.add(new SpooledReading(q.id(), q.reading(), q.receivedNs()));
                }
                Map<SpooledReading, String> refused = new IdentityHashMap<>();
                writer.deliver(readings, refused);
                List<QuarantineStore.QuarantinedReading> took = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    String reason = refused.get(readings.get(i));
                    if (reason == null) {
                        took.add(chunk.get(i));
                    } else {
                        err.println("still refused: id " + chunk.get(i).id() + " " + chunk.get(i).reading() + ": "
                                + reason);
                    }
                }
                quarantine.replayed(took);
                landed += took.size();
                refusedTotal += refused.size();
            }
        } catch (RuntimeException e) {
            err.println("quarantine replay stopped after " + landed + " landed: InfluxDB " + settings.influx().url()
                    + ": " + e.getMessage());
            return FAILED;
        }
        out.println("replayed " + (landed + refusedTotal) + ": landed " + landed + ", still refused " + refusedTotal);
        return refusedTotal == 0 ? OK : FAILED;
    }
}
