package org.fieldgate.forward;

import com.sun.net.httpserver.HttpServer;
import okhttp3.OkHttpClient;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * InfluxWriter.connect (a client without the Retrofit default client influxdb-java would build first) sends exactly
 * what InfluxDBFactory.connect's client sends: the same /write request line, encoding and body, with and without
 * credentials, gzip on and off.
 */
class InfluxWriterConnectTest {

    @Test
    void sameRequestsAsInfluxDbFactorysClient() throws IOException {
        String lines = "reading,site=s,device=d,channel=co2_10cm,unit=ppm value=412.5,qc=0i 1700000000500000000\n"
                + "reading,site=s,device=d,channel=t,unit=Cel value=-3.25,qc=2i 1700000001000000000";
        for (String[] credentials : new String[][] {{null, null}, {"fieldgate", "token with spaces&=?"}, {"admin", ""}}) {
            for (boolean gzip : new boolean[] {false, true}) {
                List<String> viaFactory = requests(url -> credentials[0] == null
                        ? InfluxDBFactory.connect(url, builder(url))
                        : InfluxDBFactory.connect(url, credentials[0], credentials[1], builder(url)), gzip, lines);
                List<String> viaWriter = requests(url -> InfluxWriter.connect(url, credentials[0], credentials[1], builder(url)), gzip, lines);
                assertEquals(viaFactory, viaWriter, "user " + credentials[0] + ", gzip " + gzip);
                assertEquals(2, viaWriter.size(), viaWriter.toString()); // ping and write both reached the server
            }
        }
    }

    private static OkHttpClient.Builder builder(String url) {
        return InfluxWriter.plainHttpOnly(new OkHttpClient.Builder().connectTimeout(5, TimeUnit.SECONDS), url);
    }

    private interface Connect {
        InfluxDB connect(String url);
    }

    /** Each request the client makes for a ping and one write: method, URI, Content-Encoding and the body unzipped. */
    private static List<String> requests(Connect connect, boolean gzip, String lines) throws IOException {
        List<String> seen = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            if ("gzip".equals(encoding)) {
                body = new GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
            }
            synchronized (seen) {
                seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " encoding=" + encoding + " body=" + new String(body));
            }
            exchange.getResponseHeaders().add("X-Influxdb-Version", "1.6.7");
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            InfluxDB client = connect.connect("http://127.0.0.1:" + server.getAddress().getPort());
            try {
                client.setLogLevel(InfluxDB.LogLevel.NONE);
                if (gzip) {
                    client.enableGzip();
                }
                client.ping();
                client.write("bench", null, InfluxDB.ConsistencyLevel.ONE, TimeUnit.NANOSECONDS, lines);
            } finally {
                client.close();
            }
        } finally {
            server.stop(0);
        }
        return seen;
    }
}
