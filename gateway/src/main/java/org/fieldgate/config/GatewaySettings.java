package org.fieldgate.config;

import java.nio.file.Path;
import java.time.Duration;
import org.fieldgate.store.FullPolicy;

/**
 * Every fieldgate.* property, checked once at start-up. Plain records so the stages can be built and
 * tested without an application context.
 */
public record GatewaySettings(String site, java.util.List<Path> siteConfigs, Mqtt mqtt, Influx influx, Spool spool,
                              Ingest ingest, Forward forward, Simulator simulator, Http http, Acquire acquire,
                              Calc calc, Export export, Live live) {

    /**
     * @param caFile         PEM CA certificate(s) the broker's certificate must chain to (ssl:// only); null: the JVM's
     * @param clientCertFile PEM client certificate for mutual TLS, with clientKeyFile (PKCS#8); null: none
     * @param nodePasswordFile the embedded broker's node users in Mosquitto's password file format (user
     *                         {@code <site>/<device>}, as deploy/mosquitto/add-node writes); null: no node may log in
     */
    public record Mqtt(String url, boolean embedded, String clientId, String username, String password,
                       Path caFile, Path clientCertFile, Path clientKeyFile, Path nodePasswordFile, Duration keepAlive) {
        public static final Duration DEFAULT_KEEP_ALIVE = SettingDefaults.duration("fieldgate.mqtt.keep-alive");

        /** Without TLS files. */
        public Mqtt(String url, boolean embedded, String clientId, String username, String password) {
            this(url, embedded, clientId, username, password, null, null, null);
        }

        /** Without a node password file, with the default keep-alive. */
        public Mqtt(String url, boolean embedded, String clientId, String username, String password,
                    Path caFile, Path clientCertFile, Path clientKeyFile) {
            this(url, embedded, clientId, username, password, caFile, clientCertFile, clientKeyFile, null,
                    DEFAULT_KEEP_ALIVE);
        }

        /** With the default keep-alive. */
        public Mqtt(String url, boolean embedded, String clientId, String username, String password,
                    Path caFile, Path clientCertFile, Path clientKeyFile, Path nodePasswordFile) {
            this(url, embedded, clientId, username, password, caFile, clientCertFile, clientKeyFile, nodePasswordFile,
                    DEFAULT_KEEP_ALIVE);
        }

        /** Without a node password file. */
        public Mqtt(String url, boolean embedded, String clientId, String username, String password,
                    Path caFile, Path clientCertFile, Path clientKeyFile, Duration keepAlive) {
            this(url, embedded, clientId, username, password, caFile, clientCertFile, clientKeyFile, null, keepAlive);
        }

        @Override
        public String toString() {
            return "Mqtt[url=" + url + ", embedded=" + embedded + ", clientId=" + clientId + ", username=" + username
                    + ", password=" + (password == null ? "none" : "***") + ", caFile=" + caFile
                    + ", clientCertFile=" + clientCertFile + ", clientKeyFile=" + clientKeyFile
                    + ", nodePasswordFile=" + nodePasswordFile + ", keepAlive=" + keepAlive + "]";
        }
    }

    /**
     * @param caFile PEM CA certificate(s) InfluxDB's certificate must chain to (https:// only); null: the JVM's
     * @param gzip   whether /write bodies are gzipped (forward/README.md)
     */
    public record Influx(String url, String database, String username, String password, Path caFile, Gzip gzip) {
        public static final Gzip DEFAULT_GZIP = Gzip.of(SettingDefaults.literal("fieldgate.influx.gzip"));

        /** Without a CA file. */
        public Influx(String url, String database, String username, String password) {
            this(url, database, username, password, null);
        }

        /** With the default gzip policy. */
        public Influx(String url, String database, String username, String password, Path caFile) {
            this(url, database, username, password, caFile, DEFAULT_GZIP);
        }

        @Override
        public String toString() {
            return "Influx[url=" + url + ", database=" + database + ", username=" + username
                    + ", password=" + (password == null ? "none" : "***") + ", caFile=" + caFile
                    + ", gzip=" + gzip.label + "]";
        }
    }

    /** Whether the gateway gzips its InfluxDB /write bodies. */
    public enum Gzip {
        /** Gzipped unless the InfluxDB URL's host is a loopback address (InfluxDB on the gateway's own box). */
        AUTO("auto"),
        ALWAYS("always"),
        NEVER("never");

        public final String label;

        Gzip(String label) {
            this.label = label;
        }

        static Gzip of(String label) {
            for (Gzip g : values()) {
                if (g.label.equals(label)) {
                    return g;
                }
            }
            throw new IllegalArgumentException("no gzip policy '" + label + "'");
        }
    }

    /** @param token the bearer token state-changing API requests must carry; null: such requests are refused */
    public record Http(String token) {
        @Override
        public String toString() {
            return "Http[token=" + (token == null ? "none" : "***") + "]";
        }
    }

    /** @param fullPolicy what the spool does when it reaches maxBytes (the store owns the policies) */
    public record Spool(Path dir, long maxBytes, FullPolicy fullPolicy) {
    }

    /**
     * @param commitBatchReadings a commit group takes no further message once it holds this many decoded readings
     * @param maxPendingBytes     payload bytes taken from the broker and not yet committed; beyond it a message is
     *                            left unacknowledged and the broker delivers it again later
     */
    public record Ingest(int maxMessageBytes, int maxRecordsPerPack, Duration maxFutureSkew, long notBeforeEpochS,
                         int commitBatchMessages, int commitBatchReadings, long maxPendingBytes) {
        public static final int DEFAULT_COMMIT_BATCH_READINGS =
                Integer.parseInt(SettingDefaults.literal("fieldgate.ingest.commit-batch-readings"));
        public static final long DEFAULT_MAX_PENDING_BYTES = SettingDefaults.bytes("fieldgate.ingest.max-pending-bytes");
    }

    /**
     * @param keepDelivered  how long delivered readings are kept (by the hour they are stamped in) to re-send what
     *                       InfluxDB acknowledged but lost (0: not kept)
     * @param reconcileEvery how often InfluxDB's counts per series and hour are checked against the ledger's delivered
     * @param downAfter      /health turns DOWN when readings have waited this long and no write succeeded for as long
     * @param linger         a batch short of batchSize waits for more readings until this long after the previous
     *                       batch was read (0: sent at once)
     */
    public record Forward(int batchSize, Duration minBackoff, Duration maxBackoff, Duration keepDelivered,
                          Duration reconcileEvery, Duration downAfter, Duration linger) {
        public static final Duration DEFAULT_KEEP_DELIVERED = SettingDefaults.duration("fieldgate.forward.keep-delivered");
        public static final Duration DEFAULT_RECONCILE_EVERY = SettingDefaults.duration("fieldgate.forward.reconcile-every");
        public static final Duration DEFAULT_DOWN_AFTER = SettingDefaults.duration("fieldgate.forward.down-after");
        public static final Duration DEFAULT_LINGER = SettingDefaults.duration("fieldgate.forward.linger");

        public Forward(int batchSize, Duration minBackoff, Duration maxBackoff) {
            this(batchSize, minBackoff, maxBackoff, DEFAULT_KEEP_DELIVERED, DEFAULT_RECONCILE_EVERY, DEFAULT_DOWN_AFTER);
        }

        /** With the default linger. */
        public Forward(int batchSize, Duration minBackoff, Duration maxBackoff, Duration keepDelivered,
                       Duration reconcileEvery, Duration downAfter) {
            this(batchSize, minBackoff, maxBackoff, keepDelivered, reconcileEvery, downAfter, DEFAULT_LINGER);
        }
    }

    public record Simulator(boolean enabled, Duration interval, String device) {
    }

    /** @param maxSeries series the live page keeps; beyond it the least recently updated is evicted */
    public record Live(int maxSeries) {
    }

    /** Where the site files' probes come from. */
    public enum AcquireMode {
        /** The drivers on the Pi's buses (Pi4J). */
        HARDWARE("hardware"),
        /** Simulators with the same channels (the demo, tests). */
        SIMULATED("simulated"),
        /** Validate the site files but do not sample (a gateway that only takes remote nodes). */
        OFF("off");

        public final String label;

        AcquireMode(String label) {
            this.label = label;
        }
    }

    /** How the acquisition stage learns that the wall clock can be trusted. */
    public enum ClockSync {
        /** Ask the system (timedatectl / chronyc / timesyncd, see SystemClockSyncSource). */
        SYSTEM("system"),
        /** Treat the clock as synchronised (a test box without NTP state; never on a site). */
        ASSUME_SYNCED("assume-synced");

        public final String label;

        ClockSync(String label) {
            this.label = label;
        }
    }

    public record Acquire(AcquireMode mode, ClockSync clockSync) {
    }

    /**
     * The live calculators.
     *
     * @param soilTemperature {@code probe/channel} of the soil temperature for Q10, or null: the shallowest one
     */
    public record Calc(Duration fixationEvery, Duration decompositionEvery, double socGCM2, double rhFraction,
                       String soilTemperature) {
    }

    /**
     * The scheduled export (package export).
     *
     * @param schedule   when to export closed windows; null: never on a schedule (the CLI still can)
     * @param endpoint   the engine's URL to POST each export to; null: the outbox only
     * @param token      bearer token for the endpoint; null: none
     * @param window     length of one export window; divides a day, windows start at local midnight
     * @param format     {@code csv} or {@code json} (JSON Lines) for the tables
     * @param keyDir     where the gateway's Ed25519 signing key lives (export/README.md, "Signatures and the chain")
     */
    public record Export(CronSchedule schedule, Path outbox, java.net.URI endpoint, String token,
                         Duration window, String format, Duration minBackoff, Duration maxBackoff, Path keyDir) {
        @Override
        public String toString() {
            return "Export[schedule=" + schedule + ", outbox=" + outbox + ", endpoint=" + endpoint + ", token="
                    + (token == null ? "none" : "***") + ", window=" + window + ", format=" + format + ", minBackoff="
                    + minBackoff + ", maxBackoff=" + maxBackoff + ", keyDir=" + keyDir + "]";
        }
    }
}
