package org.fieldgate.acquire.site;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;

/** The repository's example sites, and variants with faster sampling for tests. */
final class ExampleSites {
    static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();
    static final Path SOIL = CONFIG.resolve("sites/soil-plot-example.yaml");
    static final Path HOUSE = CONFIG.resolve("sites/mineralisation-house-example.yaml");

    private ExampleSites() {
    }

    static SiteConfig soil() {
        return SiteConfigs.loadOrThrow(SOIL, CONFIG.resolve("models"));
    }

    static SiteConfig house() {
        return SiteConfigs.loadOrThrow(HOUSE, CONFIG.resolve("models"));
    }

    /** {@code site} with only {@code probeId}, sampled every {@code intervalS}. */
    static SiteConfig onlyProbe(SiteConfig site, String probeId, double intervalS) {
        List<ProbeConfig> probes = new ArrayList<>();
        ProbeConfig p = site.probe(probeId);
        probes.add(new ProbeConfig(p.id(), p.model(), p.bus(), p.address(), p.pin(), intervalS, p.depthCm(),
                p.channels(), p.line(), p.settings()));
        return new SiteConfig(site.id(), site.name(), site.latitude(), site.longitude(), site.elevationM(),
                site.timezone(), site.buses(), probes, site.calibrations(), null, null, site.file());
    }
}
