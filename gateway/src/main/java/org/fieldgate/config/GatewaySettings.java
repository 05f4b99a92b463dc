package org.fieldgate.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Every fieldgate.* property, checked once at start-up. Plain records so the stages can be built and
 * tested without an application context.
 */
public record GatewaySettings(String site, java.util.Optional<Path> siteConfig, Mqtt mqtt, Influx influx, Spool spool,
                              Ingest ingest, Forward forward, Simulator simulator) {

    public record Mqtt(String url, boolean embedded, String clientId, String username, String password) {
        @Override
        public String toString() {
            return "Mqtt[url=" + url + ", embedded=" + embedded + ", clientId=" + clientId + ", username=" + username
                    + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    public record Influx(String url, String database, String username, String password) {
        @Override
        public String toString() {
            return "Influx[url=" + url + ", database=" + database + ", username=" + username
                    + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    /** What the spool does when it reaches maxBytes. */
    public enum FullPolicy {
        /** Stop acknowledging new messages so the broker keeps them; nothing is dropped. */
        BACKPRESSURE("backpressure"),
        /** Drop the oldest undelivered readings, each drop recorded as a gap record. */
        DROP_OLDEST("drop-oldest");

        public final String label;

        FullPolicy(String label) {
            this.label = label;
        }
    }

    public record Spool(Path dir, long maxBytes, FullPolicy fullPolicy) {
    }

    public record Ingest(int maxMessageBytes, int maxRecordsPerPack, Duration maxFutureSkew, long notBeforeEpochS,
                         int commitBatchMessages) {
    }

    public record Forward(int batchSize, Duration minBackoff, Duration maxBackoff) {
    }

    public record Simulator(boolean enabled, Duration interval, String device) {
    }
}
