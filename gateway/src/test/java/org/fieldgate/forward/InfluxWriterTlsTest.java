package org.fieldgate.forward;

import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An http:// InfluxDB gets a client without TLS (nothing of the JDK's TLS set up at start); https:// keeps it. */
class InfluxWriterTlsTest {
    @Test
    void plainHttpGetsOnlyTheCleartextSpec() {
        OkHttpClient plain = InfluxWriter.plainHttpOnly(new OkHttpClient.Builder(), "http://127.0.0.1:8086").build();
        assertEquals(List.of(ConnectionSpec.CLEARTEXT), plain.connectionSpecs());
        OkHttpClient upper = InfluxWriter.plainHttpOnly(new OkHttpClient.Builder(), "HTTP://influx.local:8086").build();
        assertEquals(List.of(ConnectionSpec.CLEARTEXT), upper.connectionSpecs());
    }

    @Test
    void httpsKeepsTls() {
        OkHttpClient tls = InfluxWriter.plainHttpOnly(new OkHttpClient.Builder(), "https://influx.example.org:8086").build();
        assertTrue(tls.connectionSpecs().contains(ConnectionSpec.MODERN_TLS), tls.connectionSpecs().toString());
    }
}
