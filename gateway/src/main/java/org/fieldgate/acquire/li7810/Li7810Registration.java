package org.fieldgate.acquire.li7810;

import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings;
import org.fieldgate.site.DriverSettings.Setting;

/**
 * The LI-7810 / LI-7815 / LI-7820 for the gateway: models li7810, li7815, li7820 of interface {@code tcp}, reached at
 * the probe's {@code address} (host or host:port; the model's port 1883 otherwise), one probe per instrument.
 */
public final class Li7810Registration implements ChipRegistration {
    // built on demand: DriverSettings loads the registrations, so static fields here would be a cycle
    private static Setting recordTimeout() {
        return DriverSettings.integer("record-timeout-ms", 500, 60_000,
                "milliseconds a sample waits for a new record, 500-60000 (several of the analyser's 1 s records)",
                3000);
    }

    private static Setting connectTimeout() {
        return DriverSettings.integer("connect-timeout-ms", 500, 60_000,
                "milliseconds connecting and subscribing to the analyser's broker may take, 500-60000", 5000);
    }

    @Override
    public List<String> models() {
        return List.of("li7810", "li7815", "li7820");
    }

    @Override
    public List<Setting> settings() {
        return List.of(recordTimeout(), connectTimeout());
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        HostPort hp = HostPort.parse(c.address(), Li7810Stream.DEFAULT_PORT);
        TopicLink link = new PahoTopicLink(hp.host(), hp.port(), "fieldgate-" + c.probe().id());
        return new Li7810Stream(link, new Li7810Stream.Config(Li7810Stream.Model.of(c.probe().model().id()),
                s.millis("record-timeout-ms"), s.millis("connect-timeout-ms"), c.warmUp()), c.clock());
    }

    @Override
    public Stated stated(String model) {
        return new Stated(null, Li7810Stream.Model.of(model).channels(), null, null);
    }

    /** A probe address {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}. */
    record HostPort(String host, int port) {
        static HostPort parse(String address, int defaultPort) {
            String a = address.strip();
            int colon = a.lastIndexOf(':');
            boolean v6 = a.startsWith("[");
            if (colon < 0 || v6 && a.endsWith("]")) {
                return new HostPort(v6 ? a.substring(1, a.length() - 1) : a, defaultPort);
            }
            String host = a.substring(0, colon);
            host = v6 ? host.substring(1, host.length() - 1) : host;
            int port;
            try {
                port = Integer.parseInt(a.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("address: value '" + address + "': the port is not a number", e);
            }
            if (port < 1 || port > 65535 || host.isEmpty()) {
                throw new IllegalArgumentException("address: value '" + address + "': host[:port], port 1-65535");
            }
            return new HostPort(host, port);
        }
    }
}
