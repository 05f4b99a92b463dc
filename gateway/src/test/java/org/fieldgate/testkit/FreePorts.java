package org.fieldgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Picks free TCP ports on 127.0.0.1; never hands out the same port twice in one test JVM. */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    public static synchronized int next() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("could not probe a free loopback port", e);
            }
            // a port handed out earlier may be free right now only because its process is restarting
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no fresh free loopback port after 200 attempts");
    }
}
