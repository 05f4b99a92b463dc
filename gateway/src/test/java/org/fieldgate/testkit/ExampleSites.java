package org.fieldgate.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The two example site files (firmware-config/sites) with the chamber schedule compressed to a 135 s cycle (33 s per
 * chamber: the first closure is fitted about 31 s after start) and faster sampling, beside a copy of the sensor
 * models, so tests see whole closures and cycles in seconds rather than half an hour.
 */
public final class ExampleSites {
    /** The checkout's root (tests run in gateway/). */
    public static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private ExampleSites() {
    }

    /** Writes config/models and config/sites under {@code dir}; returns the soil-plot and the house file. */
    public static List<Path> compressed(Path dir) throws IOException {
        Path models = Files.createDirectories(dir.resolve("config/models"));
        try (var files = Files.list(REPO.resolve("firmware-config/models"))) {
            for (Path m : files.toList()) {
                Files.copy(m, models.resolve(m.getFileName()));
            }
        }
        Path sites = Files.createDirectories(dir.resolve("config/sites"));
        String soil = Files.readString(REPO.resolve("firmware-config/sites/soil-plot-example.yaml"))
                .replace("default-interval-s: 60", "default-interval-s: 5")
                .replace("interval-s: 300", "interval-s: 5")
                .replace("close-s: 10", "close-s: 1")
                .replace("dead-band-s: 20", "dead-band-s: 3")
                .replace("observation-s: 120", "observation-s: 22")
                .replace("open-s: 10", "open-s: 1")
                .replace("purge-s: 60", "purge-s: 6")
                .replace("cycle-s: 1800", "cycle-s: 135");
        String house = Files.readString(REPO.resolve("firmware-config/sites/mineralisation-house-example.yaml"))
                .replace("default-interval-s: 10", "default-interval-s: 2");
        Path soilFile = Files.writeString(sites.resolve("soil-plot-example.yaml"), soil);
        Path houseFile = Files.writeString(sites.resolve("mineralisation-house-example.yaml"), house);
        return List.of(soilFile, houseFile);
    }
}
