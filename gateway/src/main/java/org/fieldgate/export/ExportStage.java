package org.fieldgate.export;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxQuery;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The completeness ledger and the exporter, built from the settings and site files, for the running gateway and the
 * {@code export} CLI alike. Windows and the schedule are in the first site file's time zone (UTC without site files).
 */
public final class ExportStage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExportStage.class);
    static final long TICK_S = 60;

    private final CompletenessLedger ledger;
    private final Exporter exporter;
    private final ZoneId zone;
    private final Exporter.Closure closure;
    private final ScheduledExecutorService ticker;
    private final java.nio.file.Path keyDir;
    private volatile boolean started;

    public ExportStage(GatewaySettings settings, List<SiteConfig> sites, Spool spool, Clock clock) {
        this.zone = sites.isEmpty() ? ZoneOffset.UTC : sites.get(0).timezone();
        this.ledger = new CompletenessLedger(spool, sites, () -> EpochNanos.now());
        InfluxQuery influx = new InfluxQuery(settings.influx());
        WindowExport export = new WindowExport(settings.site(), settings.influx().database(), sites, influx, ledger,
                settings.export().format());
        this.closure = w -> {
            if (clock.instant().isBefore(w.to())) {
                return "the window ends at " + w.to();
            }
            if (!influx.reachable()) {
                return "InfluxDB " + settings.influx().url() + " does not answer";
            }
            long waiting = spool.waitingBefore(w.toNs());
            return waiting > 0 ? waiting + " readings or derived points stamped before the window's end still wait in "
                    + "the spool for InfluxDB" : null;
        };
        this.exporter = new Exporter(settings.export(), export, closure, zone, clock);
        this.keyDir = settings.export().keyDir();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-uptime");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Makes the signing key at the first start, counts the gateway's uptime for the ledger once a minute and starts
     * the export schedule. A refused key file stops the exports (each attempt names it), not the gateway.
     */
    public void start() {
        started = true;
        try {
            LOG.info("export signing key {} in {}", GatewayKeys.openOrCreate(keyDir).current().fingerprint(), keyDir);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.error("export signing key unusable, no window will be exported until it is fixed: {}", e.getMessage());
        }
        ticker.scheduleAtFixedRate(() -> {
            try {
                ledger.tick();
            } catch (RuntimeException e) {
                LOG.warn("ledger uptime not recorded: {}", e.getMessage());
            }
        }, TICK_S, TICK_S, TimeUnit.SECONDS);
        exporter.start();
    }

    public CompletenessLedger ledger() {
        return ledger;
    }

    public Exporter exporter() {
        return exporter;
    }

    /** Why a window is not closed yet, or null when it is. */
    public Exporter.Closure closure() {
        return closure;
    }

    /** The current signing key's fingerprint (SHA-256 of its DER SubjectPublicKeyInfo), or null while it is unusable. */
    public String keyFingerprint() {
        try {
            return GatewayKeys.fingerprint(GatewayKeys.readPublic(keyDir.resolve(GatewayKeys.PUBLIC)));
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        exporter.close();
        if (!started) {
            return; // the CLI: not the gateway running
        }
        // the uptime up to the stop counts, so the next start's gap is the time the gateway was really down
        try {
            ledger.tick();
        } catch (RuntimeException e) {
            LOG.warn("ledger uptime not recorded at stop: {}", e.getMessage());
        }
    }
}
