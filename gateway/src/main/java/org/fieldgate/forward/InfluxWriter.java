package org.fieldgate.forward;

import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.TlsFiles;
import org.fieldgate.store.SpooledReading;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBException;
import org.influxdb.impl.InfluxDBImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import retrofit2.Retrofit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes readings to InfluxDB's v1 /write API, for the forwarder, the reconciler and {@code quarantine replay} alike.
 * A refusal for content (HTTP 400) is retried once as it was before anything is quarantined: a proxy or an InfluxDB
 * restarting can answer 400 for a body it takes a moment later. Only a refusal that repeats is isolated, by halving,
 * down to the readings InfluxDB refuses every time.
 */
final class InfluxWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxWriter.class);

    private final GatewaySettings.Influx influx;
    private final InfluxDB client;
    private final Duration retryPause;

    InfluxWriter(GatewaySettings.Influx influx, Duration retryPause) {
        this.influx = influx;
        this.retryPause = retryPause;
        OkHttpClient.Builder http = new OkHttpClient.Builder()
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(30, TimeUnit.SECONDS)
                .writeTimeout(30, TimeUnit.SECONDS);
        if (influx.caFile() != null) {
            trustOnly(http, influx.caFile());
        } else {
            plainHttpOnly(http, influx.url());
        }
        boolean credentials = influx.username() != null || influx.password() != null;
        this.client = connect(influx.url(),
                // InfluxDB 2.x/3.x v1 compatibility: the token goes in the password, any user name works.
                credentials ? (influx.username() == null ? "fieldgate" : influx.username()) : null,
                credentials ? (influx.password() == null ? "" : influx.password()) : null, http);
        client.setLogLevel(InfluxDB.LogLevel.NONE);
        // A cellular link pays per byte; line protocol of repetitive tags compresses about ten-fold.
        client.enableGzip();
    }

    /**
     * What {@code InfluxDBFactory.connect(url, user, password, http)} does (user and password null: none), less one
     * client: influxdb-java's InfluxDBImpl builds a Retrofit once before it sets its own OkHttpClient on it, and a
     * Retrofit without a client makes a default OkHttpClient, which sets up the JDK's TLS and loads its CA store even
     * for http:// (a tenth of the CPU to /health 200 with AppCDS, JFR). Given the client of {@code http} up front, that
     * Retrofit makes none; InfluxDBImpl then replaces it with its own, built from {@code http}, as before.
     */
    static InfluxDB connect(String url, String user, String password, OkHttpClient.Builder http) {
        return new InfluxDBImpl(url, user, password, http, new Retrofit.Builder().client(http.build()), InfluxDB.ResponseFormat.JSON);
    }

    /**
     * An http:// URL: the client gets only the cleartext connection spec. With no TLS spec OkHttp makes no TLS socket
     * factory, so it does not load the JDK's TLS classes and CA store at start-up (OkHttpClient.Builder.build, okhttp
     * 4.12; a start with -Xlog:class+load loaded 75 javax.net.ssl/sun.security.ssl classes instead of 207). https://
     * keeps OkHttp's defaults.
     */
    static OkHttpClient.Builder plainHttpOnly(OkHttpClient.Builder http, String url) {
        if (url.regionMatches(true, 0, "http://", 0, 7)) {
            http.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
        }
        return http;
    }

    /** https:// with the site's own CA: OkHttp then trusts only it, and still checks the host name. */
    private static void trustOnly(OkHttpClient.Builder http, Path caFile) {
        try {
            X509TrustManager trust = TlsFiles.trustManager(caFile);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trust}, null);
            http.sslSocketFactory(context.getSocketFactory(), trust);
        } catch (IOException | GeneralSecurityException e) {
            // The file passed the start-up check; it changed since.
            throw new IllegalStateException("fieldgate.influx.ca-file unusable: " + e.getMessage(), e);
        }
    }

    InfluxDB client() {
        return client;
    }

    /** One write of line protocol; throws what InfluxDB answered. */
    void write(String lines) {
        client.write(influx.database(), null, InfluxDB.ConsistencyLevel.ONE, TimeUnit.NANOSECONDS, lines);
    }

    /** Writes {@code lines}; a refusal for content is retried once, after a pause, and thrown when it repeats. */
    void writeRetryingRefusal(String lines) {
        try {
            write(lines);
            return;
        } catch (InfluxDBException e) {
            if (!isContentError(e)) {
                throw e;
            }
            LOG.info("InfluxDB refused a write for its content ({}); retrying it once as it was", e.getMessage());
        }
        pause();
        write(lines);
    }

    /**
     * Writes {@code readings} ({@code lines} is their line protocol); the readings InfluxDB refuses for their content
     * twice in a row end up in {@code refused} with its reason, the rest is written. Other failures are thrown.
     */
    void deliver(List<SpooledReading> readings, String lines, Map<SpooledReading, String> refused) {
        try {
            writeRetryingRefusal(lines);
        } catch (InfluxDBException e) {
            if (!isContentError(e)) {
                throw e;
            }
            isolate(readings, refused);
        }
    }

    /**
     * Halves a run refused twice until the refused readings are alone. No pause and retry per part: the whole run was
     * retried already, and a thousand refused readings must not cost a thousand pauses.
     */
    private void isolate(List<SpooledReading> part, Map<SpooledReading, String> refused) {
        try {
            write(part);
        } catch (InfluxDBException e) {
            if (!isContentError(e)) {
                throw e;
            }
            if (part.size() == 1) {
                refused.put(part.get(0), "InfluxDB refused the point: " + e.getMessage());
                return;
            }
            int half = part.size() / 2;
            isolate(part.subList(0, half), refused);
            isolate(part.subList(half, part.size()), refused);
        }
    }

    private void write(List<SpooledReading> part) {
        write(lineProtocol(part));
    }

    static String lineProtocol(List<SpooledReading> batch) {
        return lineProtocol(batch, new StringBuilder(batch.size() * 110));
    }

    /** The batch's body, built in {@code reused} (emptied first) so a steady writer allocates only the String. */
    static String lineProtocol(List<SpooledReading> batch, StringBuilder reused) {
        reused.setLength(0);
        for (SpooledReading s : batch) {
            InfluxLines.appendReading(reused, s.reading());
            reused.append('\n');
        }
        return reused.toString();
    }

    private void pause() {
        try {
            Thread.sleep(Math.max(1, retryPause.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfluxDBException("interrupted before retrying a refused write");
        }
    }

    static boolean isContentError(InfluxDBException e) {
        if (e instanceof InfluxDBException.FieldTypeConflictException
                || e instanceof InfluxDBException.UnableToParseException
                || e instanceof InfluxDBException.PointsBeyondRetentionPolicyException) {
            return true;
        }
        String message = String.valueOf(e.getMessage());
        return message.contains("partial write") || message.contains("max-values-per-tag")
                || message.contains("invalid field") || message.contains("invalid tag");
    }

    @Override
    public void close() {
        client.close();
    }
}
