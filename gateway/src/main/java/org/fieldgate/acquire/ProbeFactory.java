package org.fieldgate.acquire;

import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;

/**
 * Builds the driver for one probe of a site file: the real chip behind Pi4J on a site, a simulator in the demo.
 * The driver's {@link Measurement}s carry the sensor model's channel names (as in {@code firmware-config/models/},
 * no prefix) in the model's units; the acquisition stage renames them to the site's published names and applies
 * the site's calibrations, so a factory knows nothing of either.
 */
public interface ProbeFactory extends AutoCloseable {

    /**
     * The driver for {@code probe} of {@code site}. Throws {@link IllegalArgumentException} naming the probe and
     * the setting when the probe cannot be built (unknown model, bus that cannot be opened); the acquisition stage
     * logs it and records the probe's channels as a gap instead of stopping the gateway.
     */
    Probe create(SiteConfig site, ProbeConfig probe);

    /** Releases buses and the Pi4J context; drivers it built are closed by their owners first. */
    @Override
    void close();
}
