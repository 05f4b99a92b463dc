package org.fieldgate.acquire.serial;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.serial.MockSerialProvider;
import org.fieldgate.acquire.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pi4J's MockSerial is a loopback: what is written can be read back, which is enough to exercise the adapter. */
class Pi4jSerialLinkTest {
    private final VirtualClock clock = new VirtualClock();
    private final Context pi4j = Pi4J.newContextBuilder().add(new MockPlatform())
            .add(MockSerialProvider.newInstance()).build();

    @AfterEach
    void close() {
        pi4j.shutdown();
    }

    @Test
    void writesReadsWithTimeoutAndDiscards() throws IOException {
        SerialLink.Settings s = new SerialLink.Settings(19200, 8, 'N', 2);
        Pi4jSerialLink link = Pi4jSerialLink.open(pi4j, "/dev/ttyUSB0", s, MockSerialProvider.ID, clock);
        assertEquals("/dev/ttyUSB0", link.port());
        assertEquals(11, s.bitsPerChar()); // start, 8 data, 2 stop
        link.write(new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2}, link.read(2, Duration.ofMillis(100)));
        assertArrayEquals(new byte[] {3}, link.read(8, Duration.ofMillis(100)));
        long before = clock.nanoTime();
        assertEquals(0, link.read(8, Duration.ofMillis(100)).length);
        assertEquals(100_000_000L, clock.nanoTime() - before);
        link.write(new byte[] {9, 9});
        link.discardInput();
        assertEquals(0, link.read(8, Duration.ofMillis(10)).length);
        link.close();
    }
}
