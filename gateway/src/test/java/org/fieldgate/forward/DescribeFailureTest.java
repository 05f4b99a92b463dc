package org.fieldgate.forward;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What /api/status and /health say when InfluxDB cannot be reached, whichever way the JDK's client reports it. */
class DescribeFailureTest {
    @Test
    void aConnectClosedByTheClientsSelectorReadsAsRefused() {
        ConnectException closed = new ConnectException();
        closed.initCause(new ClosedChannelException());
        assertEquals("Connection refused", InfluxForwarder.describe(
                InfluxException.unreachable("InfluxDB http://127.0.0.1:1 did not answer the write", closed)));
        assertEquals("Connection refused", InfluxForwarder.describe(
                InfluxException.unreachable("write", new ConnectException("Connection refused"))));
    }

    @Test
    void otherFailuresKeepTheirOwnRootMessage() {
        assertEquals("ClosedChannelException", InfluxForwarder.describe(
                InfluxException.unreachable("write", new IOException("lost", new ClosedChannelException()))));
        assertEquals("Connection reset", InfluxForwarder.describe(
                InfluxException.unreachable("write", new IOException(new java.net.SocketException("Connection reset")))));
    }
}
