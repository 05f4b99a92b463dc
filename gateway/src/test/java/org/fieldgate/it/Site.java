package org.fieldgate.it;

import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.GatewayStatus;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;

import java.time.Duration;
import java.util.function.Supplier;

/** The field site every acceptance test sets up: one broker, one InfluxDB, one gateway. */
final class Site {
    static final String NAME = "it-site";
    static final String DB = "fieldgate_it";

    private Site() {
    }

    /** A gateway wired to this broker and InfluxDB; {@code clientId} stays the same across its restarts. */
    static GatewayProcess.Builder gateway(MosquittoProcess broker, InfluxdProcess influx, String clientId) {
        return GatewayProcess.builder()
                .site(NAME)
                .mqttUrl(broker.url())
                .influxUrl(influx.url())
                .database(DB)
                .clientId(clientId);
    }

    /** Everything worth reading when a wait times out: gateway status and log, broker and influxd logs. */
    static Supplier<String> diagnostics(GatewayProcess gateway, MosquittoProcess broker, InfluxdProcess influx) {
        return () -> gateway.diagnostics().get()
                + "\n---- broker\n" + broker.logTail(20)
                + "\n---- influxd\n" + influx.logTail(20);
    }

    /** Waits until the gateway reports an empty spool (everything it committed has been delivered). */
    static GatewayStatus awaitSpoolDrained(GatewayProcess gateway, Duration timeout) {
        return Poll.value("the gateway's spool to drain (spoolDepth 0)", timeout, gateway::status,
                status -> status.spoolDepth() == 0, gateway.diagnostics());
    }
}
