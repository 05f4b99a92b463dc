package org.fieldgate.web;

import org.fieldgate.acquire.site.AcquisitionStage;
import org.fieldgate.acquire.site.ProbeHealth;
import org.fieldgate.config.GatewaySettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The acquisition's health as JSON for /api/status, /health and the page: times as ISO instants, ages in s. */
final class AcquisitionView {
    private AcquisitionView() {
    }

    /** {@code health} null: acquisition off (no site files or mode off), reported UP with no sites. */
    static Map<String, Object> of(GatewaySettings.AcquireMode mode, AcquisitionStage.Health health) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", health == null ? ProbeHealth.State.UP.name() : health.state().name());
        out.put("mode", mode.label);
        List<Map<String, Object>> sites = new ArrayList<>();
        if (health != null) {
            for (AcquisitionStage.SiteHealth s : health.sites()) {
                List<Map<String, Object>> probes = new ArrayList<>();
                for (ProbeHealth p : s.probes()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("probe", p.probe());
                    m.put("model", p.model());
                    m.put("address", p.address());
                    m.put("state", p.state().name());
                    m.put("why", p.why());
                    m.put("intervalS", p.intervalS());
                    m.put("lastGoodSample", iso(p.lastGoodNs()));
                    m.put("lastGoodAgeS", p.lastGoodAgeS() == null ? null : ClosureView.round(p.lastGoodAgeS(), 1));
                    m.put("lastError", p.lastError());
                    m.put("lastErrorAt", iso(p.lastErrorNs()));
                    probes.add(m);
                }
                Map<String, Object> site = new LinkedHashMap<>();
                site.put("site", s.site());
                site.put("state", s.state().name());
                site.put("probes", probes);
                sites.add(site);
            }
        }
        out.put("sites", sites);
        return out;
    }

    private static String iso(Long ns) {
        return ns == null ? null : Instant.ofEpochSecond(0, ns).toString();
    }
}
