package org.fieldgate.testkit;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fieldgate.site.SiteConfig;

/** What a site file says should be in InfluxDB, and what is: channels and chamber closures. */
public final class SiteChannels {
    private SiteChannels() {
    }

    /** {@code site/probe/channel} of every configured (enabled) channel. */
    public static TreeSet<String> configured(List<SiteConfig> sites) {
        TreeSet<String> out = new TreeSet<>();
        for (SiteConfig s : sites) {
            for (var p : s.probes()) {
                for (var c : p.channels()) {
                    out.add(s.id() + "/" + p.id() + "/" + c.name());
                }
            }
        }
        return out;
    }

    /** {@code site/device/channel} of every series with readings. */
    public static TreeSet<String> landed(InfluxdProcess influx, String db) {
        TreeSet<String> out = new TreeSet<>();
        for (Map<String, Object> row : influx.query(db,
                "SELECT count(value) FROM reading GROUP BY site, device, channel")) {
            out.add(row.get("site") + "/" + row.get("device") + "/" + row.get("channel"));
        }
        return out;
    }

    /** The site's closure points in time order (each row: tags and fields, "time" in ns). */
    public static List<Map<String, Object>> closures(InfluxdProcess influx, String db, String site) {
        return influx.query(db, "SELECT * FROM closure WHERE site = '" + site + "' ORDER BY time");
    }
}
