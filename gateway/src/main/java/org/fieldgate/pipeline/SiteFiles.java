package org.fieldgate.pipeline;

import org.fieldgate.config.GatewaySettings;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The site files fieldgate.site-config names, each validated, in the order given. */
public record SiteFiles(List<SiteConfig> sites) {
    private static final Logger LOG = LoggerFactory.getLogger(SiteFiles.class);

    public SiteFiles {
        sites = List.copyOf(sites);
    }

    /** An invalid site file stops start-up here, with every error as file:line: field (see config check). */
    public static SiteFiles load(GatewaySettings settings) {
        List<SiteConfig> sites = new ArrayList<>();
        for (Path file : settings.siteConfigs()) {
            var site = SiteConfigs.loadOrThrow(file, SiteConfigs.defaultModelsDir(file));
            LOG.info("site file {} valid: site {}, {} probes, {} channels", file, site.id(), site.probes().size(),
                    site.channelCount());
            sites.add(site);
        }
        return new SiteFiles(sites);
    }

    /** For records without a unit: what the site file of {@code site} declares for the channel, or null. */
    public String declaredUnit(String site, String device, String channel) {
        for (SiteConfig s : sites) {
            if (s.id().equals(site)) {
                return s.declaredUnit(device, channel);
            }
        }
        return null;
    }
}
