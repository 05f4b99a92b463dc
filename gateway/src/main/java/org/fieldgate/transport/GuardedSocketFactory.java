package org.fieldgate.transport;

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Plain TCP sockets whose input goes through one {@link PublishTopicGuard} and whose output through one
 * {@link PubackOutput}; one factory per MQTT connection.
 */
final class GuardedSocketFactory extends SocketFactory {
    private volatile PublishTopicGuard guard;
    private volatile PubackOutput output;
    /** Where the guards hand their PUBLISHes (instead of to Paho). */
    private final PublishTopicGuard.Sink sink;

    GuardedSocketFactory(PublishTopicGuard.Sink sink) {
        this.sink = sink;
    }

    /** The guard of the socket made last, or null before Paho has read from it. */
    PublishTopicGuard guard() {
        return guard;
    }

    /** The output of the socket made last, or null before Paho has written to it. */
    PubackOutput output() {
        return output;
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            private PublishTopicGuard input;
            private PubackOutput myOutput;

            /** Both wrappers at once, when Paho first asks for either stream (it asks once the socket is connected). */
            private synchronized void wrap() throws IOException {
                if (input == null) {
                    input = new PublishTopicGuard(super.getInputStream(), sink);
                    myOutput = new PubackOutput(super.getOutputStream());
                    guard = input;
                    output = myOutput;
                }
            }

            @Override
            public OutputStream getOutputStream() throws IOException {
                wrap();
                return myOutput;
            }

            @Override
            public InputStream getInputStream() throws IOException {
                wrap();
                return input;
            }
        };
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket s = createSocket();
        if (local != null) {
            s.bind(local);
        }
        s.connect(remote);
        return s;
    }
}
