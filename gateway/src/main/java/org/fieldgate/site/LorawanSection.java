package org.fieldgate.site;

import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Validates a site file's {@code lorawan} section into a {@link LorawanMapping}; every error names file:line and field. */
final class LorawanSection {
    static final String[] LORAWAN_KEYS = {"applications", "profiles", "devices", "description"};
    static final String[] FIELD_KEYS = {"channel", "unit", "calibration", "description"};

    private LorawanSection() {
    }

    /** Null when the site has no {@code lorawan} section (or it is too broken to use; the errors say why). */
    static LorawanMapping parse(YamlTree t, YamlTree.Obj site, Map<String, Calibration> calibrations,
                                Map<String, Node> calibrationNodes) {
        YamlTree.Obj o = site.obj("lorawan", false, LORAWAN_KEYS);
        if (o == null) {
            return null;
        }
        o.str("description", false, null, "free text");
        List<String> applications = new ArrayList<>();
        List<Node> apps = o.seq("applications", true,
                "the network's application ids whose uplinks are this site's (ChirpStack UUID, TTS application id)");
        if (apps != null) {
            for (int i = 0; i < apps.size(); i++) {
                Node a = apps.get(i);
                String text = YamlTree.text(a);
                if (!(a instanceof ScalarNode) || text == null || text.isBlank() || text.contains("/")
                        || text.contains("+") || text.contains("#")) {
                    t.error(a, o.field("applications") + "[" + i + "]", text,
                            "an application id without '/', '+' or '#'");
                } else {
                    applications.add(text);
                }
            }
            if (apps.isEmpty()) {
                t.error(o.get("applications"), o.field("applications"), "[]", "at least one application id");
            }
        }
        Map<String, LorawanMapping.FieldMap> profiles = maps(t, o, "profiles", calibrations, calibrationNodes);
        Map<String, LorawanMapping.FieldMap> devices = maps(t, o, "devices", calibrations, calibrationNodes);
        if (!o.has("profiles") && !o.has("devices")) {
            t.error(o.node, o.field("profiles"), null, "required: profiles or devices, each decoded field's channel and unit");
        }
        return new LorawanMapping(applications, profiles, devices, YamlTree.line(o.node));
    }

    private static Map<String, LorawanMapping.FieldMap> maps(YamlTree t, YamlTree.Obj o, String key,
                                                             Map<String, Calibration> calibrations,
                                                             Map<String, Node> calibrationNodes) {
        Map<String, LorawanMapping.FieldMap> out = new LinkedHashMap<>();
        if (!o.has(key)) {
            return out;
        }
        YamlTree.Obj byName = t.obj(o.get(key), o.field(key));
        if (byName == null) {
            return out;
        }
        for (Map.Entry<String, Node> e : byName.entries.entrySet()) {
            YamlTree.Obj fields = t.obj(e.getValue(), byName.field(e.getKey()));
            if (fields == null) {
                continue;
            }
            Map<String, LorawanMapping.Field> mapped = new LinkedHashMap<>();
            Map<String, Node> channels = new HashMap<>();
            for (Map.Entry<String, Node> f : fields.entries.entrySet()) {
                YamlTree.Obj field = t.obj(f.getValue(), fields.field(f.getKey()), FIELD_KEYS);
                if (field == null) {
                    continue;
                }
                field.str("description", false, null, "free text");
                String channel = field.str("channel", true, Names.CHANNEL, "a channel name: " + Names.CHANNEL_ALLOWED);
                String unit = ModelLoader.unit(field, "unit", true);
                List<Calibration> cals = calibrationRefs(t, field, calibrations, calibrationNodes, unit);
                if (channel != null && channels.putIfAbsent(channel, field.get("channel")) != null) {
                    t.error(field.get("channel"), field.field("channel"), channel, "channel already mapped from "
                            + "another field of this map (line " + YamlTree.line(channels.get(channel)) + ")");
                    continue;
                }
                if (channel != null && unit != null && cals != null) {
                    mapped.put(f.getKey(), new LorawanMapping.Field(channel, unit, cals));
                }
            }
            out.put(e.getKey(), new LorawanMapping.FieldMap(mapped, YamlTree.line(e.getValue())));
        }
        return out;
    }

    /** The calibrations named, in valid-from order; each must give {@code unit}. Null after an error. */
    private static List<Calibration> calibrationRefs(YamlTree t, YamlTree.Obj c, Map<String, Calibration> calibrations,
                                                     Map<String, Node> calibrationNodes, String unit) {
        Node n = c.get("calibration");
        List<Calibration> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        List<Node> refs = n instanceof SequenceNode s ? s.getValue() : List.of(n);
        boolean ok = true;
        for (int i = 0; i < refs.size(); i++) {
            Node r = refs.get(i);
            String field = c.field("calibration") + (n instanceof SequenceNode ? "[" + i + "]" : "");
            String id = YamlTree.text(r);
            if (!(r instanceof ScalarNode) || !calibrationNodes.containsKey(id)) {
                t.error(r, field, id, "a calibration id defined under calibrations"
                        + Names.didYouMean(id == null ? "" : id, calibrationNodes.keySet()));
                ok = false;
                continue;
            }
            Calibration cal = calibrations.get(id);
            if (cal == null) {
                ok = false;
                continue;
            }
            if (cal.unit() != null && unit != null && !cal.unit().equals(unit)) {
                t.error(r, field, id, "gives " + cal.unit() + " but the field's unit is " + unit);
                ok = false;
                continue;
            }
            out.add(cal);
        }
        out.sort((a, b) -> a.validFrom().compareTo(b.validFrom()));
        return ok ? out : null;
    }
}
