package org.fieldgate.transport;

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Plain TCP sockets whose input goes through one {@link PublishTopicGuard}; one factory per MQTT connection. */
final class GuardedSocketFactory extends SocketFactory {
    private volatile PublishTopicGuard guard;

    /** The guard of the socket made last, or null before Paho has read from it. */
    PublishTopicGuard guard() {
        return guard;
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            private PublishTopicGuard mine;

            @Override
            public synchronized InputStream getInputStream() throws IOException {
                if (mine == null) {
                    mine = new PublishTopicGuard(super.getInputStream());
                    guard = mine;
                }
                return mine;
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
