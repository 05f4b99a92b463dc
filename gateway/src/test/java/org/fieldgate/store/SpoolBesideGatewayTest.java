package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code fieldgate export} and {@code fieldgate quarantine replay} open the spool while the gateway runs. They must
 * neither judge it (a mark read before the gateway's latest deliveries makes delivered rows look lost, and a
 * "damaged" live spool would be moved aside) nor write the gateway's high-water mark from their older view: after
 * a kill -9 of the gateway that stale mark would count delivered readings as lost.
 */
class SpoolBesideGatewayTest {
    private static final long T0 = 1_763_855_000_000_000_000L;

    @Test
    void aCommandBesideTheGatewayLeavesItsMarkAlone(@TempDir Path dir) throws Exception {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        Spool gateway = new Spool(live, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
        try {
            gateway.readings().commit(readings(0, 100), List.of(), 1L);
            try (Spool command = Spool.besideGateway(live, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
                // the gateway delivers everything while the command is open ...
                List<SpooledReading> all = gateway.readings().oldest(1000);
                assertEquals(100, all.size());
                gateway.readings().delivered(all);
                // ... and the command commits a replayed reading
                command.readings().commit(readings(100, 1), List.of(), 2L);
                assertEquals("", command.damageAtStart());
            }
            // what a kill -9 of the gateway leaves on disk now
            Files.createDirectories(crashed);
            try (Stream<Path> files = Files.list(live)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(f, crashed.resolve(f.getFileName()));
                }
            }
        } finally {
            gateway.close();
        }
        try (Spool restarted = new Spool(crashed, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals("", restarted.damageAtStart());
            assertEquals(0, restarted.lostTotal());
            assertEquals(1, restarted.readings().depth(), "the replayed reading waits, the delivered ones are gone");
        }
        try (Stream<Path> files = Files.list(crashed)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("damaged-")));
        }
    }

    private static List<Reading> readings(int from, int count) {
        List<Reading> out = new ArrayList<>();
        for (int n = from; n < from + count; n++) {
            out.add(new Reading("plot-a", "probe-1", "co2", "ppm", T0 + n * 1_000_000_000L, 400 + n * 0.01, 0));
        }
        return out;
    }
}
