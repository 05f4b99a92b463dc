package org.fieldgate.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.fieldgate.senml.SenmlUnits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code config check}: output and exit codes; and the JSON Schema agrees with the Java validator's keys and units. */
class ConfigCheckTest {
    static final Path SOIL = SiteConfigTest.SOIL;
    static final Path HOUSE = SiteConfigTest.HOUSE;

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ConfigCheck.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void bothExamplesPassWithModelsFoundBesideTheSites() {
        Run r = run(SOIL.toString(), HOUSE.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(List.of("OK " + SOIL + " (6 probes, 19 channels)", "OK " + HOUSE + " (6 probes, 10 channels)"),
                r.lines());
    }

    @Test
    void modelFilesCanBeCheckedDirectly() {
        Path scd30 = SiteConfigTest.MODELS.resolve("scd30.yaml");
        Run r = run(scd30.toString());
        assertEquals(0, r.code());
        assertEquals(List.of("OK " + scd30 + " (model scd30, 3 channels)"), r.lines());
    }

    @Test
    void anInvalidFilePrintsEveryErrorAndExitsOne() throws IOException {
        Path bad = dir.resolve("bad.yaml");
        String text = Files.readString(SOIL).replace("cycle-s: 1800", "cycle-s: 600")
                .replace("timezone: Asia/Tokyo", "timezone: Asia/Tokio");
        Files.writeString(bad, text);
        Run r = run("--models", SiteConfigTest.MODELS.toString(), SOIL.toString(), bad.toString());
        assertEquals(1, r.code());
        List<String> lines = r.lines();
        assertEquals(3, lines.size(), r.out());
        assertEquals("OK " + SOIL + " (6 probes, 19 channels)", lines.get(0));
        int tzLine = (int) text.substring(0, text.indexOf("timezone:")).chars().filter(ch -> ch == '\n').count() + 1;
        assertTrue(lines.get(1).startsWith(bad + ":" + tzLine + ": timezone: value 'Asia/Tokio': "), lines.get(1));
        assertTrue(lines.get(2).matches(java.util.regex.Pattern.quote(bad.toString()) + ":\\d+: schedule.cycle-s: .*"),
                lines.get(2));
        assertEquals("config check: 1 of 2 files invalid\n", r.err());
    }

    @Test
    void badLi7810SettingsAreRefusedNamingFieldAndValue() throws IOException {
        String good = org.fieldgate.acquire.li7810.Li7810Sites.soilPlot("192.0.2.10");
        Path ok = dir.resolve("li7810.yaml");
        Files.writeString(ok, good);
        Run r = run("--models", SiteConfigTest.MODELS.toString(), ok.toString());
        assertEquals(List.of("OK " + ok + " (6 probes, 20 channels)"), r.lines(), r.out() + r.err());
        assertEquals(0, r.code());

        String probe = "  - id: analyser\n    model: li7810\n    address: 192.0.2.10\n    interval-s: 2\n";
        assertTrue(good.contains(probe), good);
        String bad = good.replace(probe, "  - id: analyser\n    model: li7810\n    address: 192.0.2.10:70000\n"
                        + "    bus: rs232-1\n    interval-s: 0.5\n    settings:\n      record-timeout-ms: 100\n"
                        + "      baud: 9600\n")
                .replace("  h2o: {probe: analyser, channel: h2o}\n", "")
                .replace("pressure: {probe: air, channel: air_pressure}", "pressure: {probe: analyser, channel: cell_pressure}");
        Path file = dir.resolve("bad-li7810.yaml");
        Files.writeString(file, bad);
        r = run("--models", SiteConfigTest.MODELS.toString(), file.toString());
        String where = file + ":";
        assertEquals(List.of(
                where + line(bad, "address: 192.0.2.10:70000") + ": probes[0].address: value '192.0.2.10:70000': the"
                        + " instrument's host name or IP address, optionally with :port (1-65535), e.g. 192.168.10.1 or"
                        + " li7810.local:1883",
                where + line(bad, "    bus: rs232-1\n    interval-s: 0.5") + ": probes[0].bus: value 'rs232-1': a tcp"
                        + " model is reached over the network: use address (the instrument's host name or IP address,"
                        + " optionally with :port (1-65535), e.g. 192.168.10.1 or li7810.local:1883), not bus",
                where + line(bad, "interval-s: 0.5") + ": probes[0].interval-s: value '0.5': shorter than the shortest"
                        + " interval model li7810 supports (1 s)",
                where + line(bad, "record-timeout-ms: 100") + ": probes[0].settings.record-timeout-ms: value '100':"
                        + " milliseconds a sample waits for a new record, 500-60000 (several of the analyser's 1 s records)",
                where + line(bad, "baud: 9600\n") + ": probes[0].settings.baud: value '9600': not a setting of model"
                        + " li7810 (settings: record-timeout-ms, connect-timeout-ms)",
                where + line(bad, "co2: {probe: analyser, channel: co2_dry}") + ": analyser.h2o: missing: required:"
                        + " analyser.co2 is co2_dry, a"
                        + " dry mole fraction; the flux's dry-air factor needs the water vapour, e.g. {probe: analyser,"
                        + " channel: h2o}",
                where + line(bad, "pressure: {probe: analyser, channel: cell_pressure}") + ": analyser.pressure.channel:"
                        + " value 'cell_pressure': the analyser's cavity pressure, held at its own set point, not the"
                        + " chamber's; use a barometer in or beside the chamber"), r.lines());
        assertEquals(1, r.code());
        assertEquals("config check: 1 of 1 files invalid\n", r.err());
    }

    @Test
    void badTraceGasChannelsAreRefusedNamingFieldAndValue() throws IOException {
        String good = org.fieldgate.acquire.li7810.Li7810Sites.soilPlot("192.0.2.10");
        String ch4 = "  ch4: {probe: analyser, channel: ch4_dry}\n";
        assertTrue(good.contains(ch4), good);
        // CH4 from the cavity's temperature (unit Cel), N2O from the CH4 channel, CH4 of a probe that is not there
        String bad = good.replace(ch4, "  ch4: {probe: analyser, channel: cell_temp}\n"
                + "  n2o: {probe: analyser, channel: ch4_dry}\n");
        Path file = dir.resolve("bad-ch4.yaml");
        Files.writeString(file, bad);
        Run r = run("--models", SiteConfigTest.MODELS.toString(), file.toString());
        String where = file + ":";
        assertEquals(List.of(
                where + line(bad, "ch4: {probe: analyser, channel: cell_temp}") + ": analyser.ch4.channel: value"
                        + " 'cell_temp': its unit is Cel; ch4 needs one of ppb, ppm",
                where + line(bad, "n2o: {probe: analyser, channel: ch4_dry}") + ": analyser.n2o.channel: value"
                        + " 'ch4_dry': a CH4 channel, not N2O; use the analyser's n2o channel"), r.lines());
        assertEquals(1, r.code());

        String missing = good.replace(ch4, "  ch4: {probe: li7810, channel: ch4_dry}\n");
        file = dir.resolve("missing-ch4.yaml");
        Files.writeString(file, missing);
        r = run("--models", SiteConfigTest.MODELS.toString(), file.toString());
        assertEquals(1, r.lines().size(), r.out());
        assertTrue(r.lines().get(0).startsWith(file + ":" + line(missing, "ch4: {probe: li7810") + ": analyser.ch4.probe:"
                + " value 'li7810': not a probe of this site"), r.out());
        assertEquals(1, r.code());

        // the soil example's LI-850 for CO2 (wet) and an LI-7810 for CH4 (dry) without analyser.h2o: the dry CH4
        // still needs the chamber's water vapour for the flux's (1 - W0/1000)
        String soil = Files.readString(SOIL);
        String li850 = "  - id: soil-co2-10cm\n";
        String h2o = "  h2o: {probe: analyser, channel: h2o}\n";
        String co2 = "  co2: {probe: analyser, channel: co2}\n";
        assertTrue(soil.contains(li850) && soil.contains(h2o) && soil.contains(co2), soil);
        String dryCh4 = soil.replace(li850, "  - id: trace\n    model: li7810\n    address: 192.0.2.10\n"
                + "    interval-s: 1\n" + li850).replace(h2o, "").replace(co2, co2 + "  ch4: {probe: trace, channel: ch4_dry}\n");
        file = dir.resolve("dry-ch4.yaml");
        Files.writeString(file, dryCh4);
        r = run("--models", SiteConfigTest.MODELS.toString(), file.toString());
        assertEquals(List.of(file + ":" + line(dryCh4, co2.strip()) + ": analyser.h2o: missing: required: analyser.ch4"
                + " is ch4_dry, a dry mole fraction; the flux's dry-air factor needs the water vapour, e.g. {probe:"
                + " trace, channel: h2o}"), r.lines());
        // with the water vapour back it passes: an LI-850 for CO2 and an LI-7810 for CH4
        Files.writeString(file, dryCh4.replace(co2, co2 + h2o));
        r = run("--models", SiteConfigTest.MODELS.toString(), file.toString());
        assertEquals(0, r.code(), r.out());
    }

    /** 1-based line of the first occurrence of {@code s} in {@code text}. */
    private static int line(String text, String s) {
        int at = text.indexOf(s);
        assertTrue(at >= 0, "no " + s);
        return (int) text.substring(0, at).chars().filter(ch -> ch == '\n').count() + 1;
    }

    @Test
    void missingModelsDirectoryIsAnError() throws IOException {
        Path site = dir.resolve("sites/s.yaml");
        Files.createDirectories(site.getParent());
        Files.copy(SOIL, site);
        Run r = run(site.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().startsWith(dir.resolve("models").toAbsolutePath() + ":1: (models): value '"), r.out());
    }

    @Test
    void unreadableFileIsAnError() {
        Path missing = dir.resolve("nope.yaml");
        Run r = run("--models", SiteConfigTest.MODELS.toString(), missing.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().startsWith(missing + ":1: (file): value '" + missing + "': cannot be read"), r.out());
    }

    @Test
    void badUsageExits64() {
        assertEquals(64, run().code());
        assertEquals(64, run("--models").code());
        assertEquals(64, run("--verbose", SOIL.toString()).code());
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("usage: config check [--models DIR] FILE..."), help.out());
    }

    // ---- accuracy: blocks (docs/science.md §7.1) ----

    @Test
    void modelAccuraciesAreReadWithTheirSources() {
        ModelLoader.ModelSet set = ModelLoader.loadDir(SiteConfigTest.MODELS);
        assertEquals(List.of(), set.errors());
        Accuracy scd30 = set.models().get("scd30").accuracy("co2");
        assertEquals(10, scd30.random());
        assertEquals(30, scd30.systematic());
        assertEquals(3, scd30.ofReadingPct());
        assertTrue(scd30.source().contains("SCD30"), scd30.source());
        // +-(30 ppm + 3 % of 400 ppm) = +-42 ppm, read as rectangular: 42 / sqrt(3)
        assertEquals(42 / Math.sqrt(3), scd30.systematicStandard(400), 1e-12);
        assertEquals(10 / Math.sqrt(3), scd30.randomStandard(400), 1e-12);
        assertEquals(0.03 / Math.sqrt(3), scd30.gainRelStandard(), 1e-15);
        assertEquals(0.1, set.models().get("bme280").accuracy("pressure").systematic());
        // docs/science.md §7.5: GMP252 +-40 ppm (0-3000) / +-2 % of reading (3000-10000), read as offset + gain
        Accuracy gmp252 = set.models().get("gmp252").accuracy("co2");
        assertEquals(0, gmp252.random());
        assertEquals(40, gmp252.systematic());
        assertEquals(2, gmp252.ofReadingPct());
        assertEquals(0.02 / Math.sqrt(3), gmp252.gainRelStandard(), 1e-15);
        assertTrue(gmp252.source().contains("GMP252") && gmp252.source().contains("not checked against a stored copy"),
                gmp252.source());
        // SDP810-500Pa: zero point 0.1 Pa, span 3 % of reading (not the 125 Pa part's 0.08 Pa)
        Accuracy sdp810 = set.models().get("sdp810").accuracy("dp");
        assertEquals(0, sdp810.random());
        assertEquals(0.1, sdp810.systematic());
        assertEquals(3, sdp810.ofReadingPct());
        assertEquals((0.1 + 0.03 * 100) / Math.sqrt(3), sdp810.systematicStandard(100), 1e-12);
        assertTrue(sdp810.source().contains("SDP8xx") && sdp810.source().contains("not checked against a stored copy"),
                sdp810.source());
        // SCD30 temperature 0.4 + 0.023 x 25 degC at the 0-50 degC edges, humidity 3 %RH; repeatability 0.1 each
        Accuracy scd30T = set.models().get("scd30").accuracy("temp");
        assertEquals(0.1, scd30T.random());
        assertEquals(0.4 + 0.023 * 25, scd30T.systematic(), 1e-12);
        Accuracy scd30Rh = set.models().get("scd30").accuracy("rh");
        assertEquals(0.1, scd30Rh.random());
        assertEquals(3, scd30Rh.systematic());
        assertTrue(scd30Rh.source().contains("SCD30"), scd30Rh.source());
        // TEROS 12: +-0.5 degC; EC +-(10 uS/cm + 5 %) in dS/m
        assertEquals(0.5, set.models().get("teros12").accuracy("temp").systematic());
        Accuracy ec = set.models().get("teros12").accuracy("ec");
        assertEquals(0.01, ec.systematic());
        assertEquals(5, ec.ofReadingPct());
        assertEquals((0.01 + 0.05 * 2) / Math.sqrt(3), ec.systematicStandard(2), 1e-12);
    }

    @Test
    void aBadAccuracyValueNamesFileLineFieldAndValue() throws IOException {
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        Path scd30 = models.resolve("scd30.yaml");
        String text = Files.readString(SiteConfigTest.MODELS.resolve("scd30.yaml"));
        Files.writeString(scd30, text.replace("of-reading-pct: 3,", "of-reading-pct: -3,"));
        Run r = run(scd30.toString());
        assertEquals(1, r.code());
        int line = (int) text.substring(0, text.indexOf("of-reading-pct: 3,")).chars().filter(ch -> ch == '\n')
                .count() + 1;
        assertEquals(scd30 + ":" + line + ": channels[0].accuracy.of-reading-pct: value '-3': out of range; a datasheet"
                + " limit (+-, as printed) in % of reading, 0-100 (systematic: gain)", r.lines().get(0));

        Files.writeString(scd30, text.replace("random: 10,", "random: ten,"));
        r = run(scd30.toString());
        assertEquals(1, r.code());
        assertTrue(r.lines().get(0).matches(java.util.regex.Pattern.quote(scd30.toString())
                + ":\\d+: channels\\[0]\\.accuracy\\.random: value 'ten': not a number; .*"), r.out());

        Files.writeString(scd30, text.replace("of-reading-pct: 3,\n", "of-reading-pct: 3}\n    # ").replace(
                "               source: \"Sensirion, Datasheet SCD30", "#"));
        r = run(scd30.toString());
        assertEquals(1, r.code());
        assertTrue(r.lines().get(0).matches(java.util.regex.Pattern.quote(scd30.toString())
                + ":\\d+: channels\\[0]\\.accuracy\\.source: missing: required; the datasheet .*"), r.out());

        Files.writeString(scd30, text.replace("accuracy: {random: 10,", "accuracy: {rnadom: 10,"));
        r = run(scd30.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("accuracy.rnadom"), r.out());
    }

    @Test
    void aCalibrationMayStateATighterAccuracy() throws IOException {
        Path site = dir.resolve("site.yaml");
        String text = Files.readString(HOUSE);
        String anchor = "    reference: \"collocated with the outlet probe and a LI-850 for 48 h, 2025-03-28\"\n";
        assertTrue(text.contains(anchor));
        Files.writeString(site, text.replace(anchor, anchor + "    accuracy: {systematic: 5, of-reading-pct: 1,"
                + " source: \"48-h collocation with a LI-850\"}\n"));
        SiteConfig config = SiteConfigs.loadOrThrow(site, SiteConfigTest.MODELS);
        Calibration c = config.calibrations().get("inlet-co2-2025-04");
        assertEquals(5, c.accuracy().systematic());
        assertEquals(1, c.accuracy().ofReadingPct());

        Files.writeString(site, text.replace(anchor, anchor + "    accuracy: {systematic: -5, source: \"x\"}\n"));
        Run r = run("--models", SiteConfigTest.MODELS.toString(), site.toString());
        assertEquals(1, r.code());
        int line = (int) (text.substring(0, text.indexOf(anchor)) + anchor).chars().filter(ch -> ch == '\n').count() + 1;
        assertTrue(r.lines().get(0).startsWith(site + ":" + line + ": calibrations[0].accuracy.systematic: value '-5':"),
                r.out());
    }

    // ---- the schema for editors must agree with the validator ----

    private static JsonNode schema() throws IOException {
        return new ObjectMapper().readTree(SiteConfigTest.CONFIG.resolve("schema/fieldgate-config.schema.json").toFile());
    }

    private static Set<String> keys(JsonNode objectSchema) {
        Set<String> out = new TreeSet<>();
        objectSchema.get("properties").fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Set<String> set(String... keys) {
        return new TreeSet<>(List.of(keys));
    }

    @Test
    void schemaKeysAndUnitsAgreeWithTheValidator() throws IOException {
        JsonNode defs = schema().get("$defs");
        JsonNode site = defs.get("site");
        JsonNode sp = site.get("properties");
        assertEquals(set(SiteValidator.SITE_KEYS), keys(site));
        assertEquals(set(SiteValidator.LOCATION_KEYS), keys(sp.get("location")));
        assertEquals(set(SiteValidator.BUS_KEYS), keys(sp.get("buses").get("additionalProperties")));
        assertEquals(set(SiteValidator.CALIBRATION_KEYS), keys(sp.get("calibrations").get("items")));
        JsonNode probe = sp.get("probes").get("items");
        assertEquals(set(SiteValidator.PROBE_KEYS), keys(probe));
        assertEquals(set(SiteValidator.PROBE_CHANNEL_KEYS),
                keys(probe.get("properties").get("channels").get("additionalProperties")));
        assertEquals(set(SiteValidator.ANALYSER_KEYS), keys(sp.get("analyser")));
        assertEquals(set(SiteValidator.SCHEDULE_KEYS), keys(sp.get("schedule")));
        assertEquals(set(SiteValidator.CHAMBER_KEYS), keys(sp.get("chambers").get("items")));
        assertEquals(set(SiteValidator.HOUSE_KEYS), keys(sp.get("house")));
        assertEquals(set(SiteValidator.BATCH_KEYS), keys(sp.get("house").get("properties").get("batches").get("items")));
        assertEquals(set(SiteValidator.REF_KEYS), keys(defs.get("channelRef")));
        JsonNode remote = sp.get("remote-nodes").get("items");
        assertEquals(set(SiteValidator.REMOTE_NODE_KEYS), keys(remote));
        assertEquals(set(SiteValidator.REMOTE_CHANNEL_KEYS),
                keys(remote.get("properties").get("channels").get("additionalProperties")));

        assertEquals(set(LorawanSection.LORAWAN_KEYS), keys(sp.get("lorawan")));
        assertEquals(set(LorawanSection.FIELD_KEYS), keys(defs.get("lorawanFields").get("additionalProperties")));

        JsonNode model = defs.get("sensorModel");
        JsonNode mp = model.get("properties");
        assertEquals(set(ModelLoader.MODEL_KEYS), keys(model));
        assertEquals(set(ModelLoader.REGISTER_KEYS), keys(mp.get("registers").get("additionalProperties")));
        assertEquals(set(ModelLoader.COMMAND_KEYS), keys(mp.get("commands").get("additionalProperties")));
        assertEquals(set(ModelLoader.CHANNEL_KEYS), keys(mp.get("channels").get("items")));
        assertEquals(new TreeSet<>(Accuracy.KEYS), keys(defs.get("accuracy")));
        Set<String> defaults = new TreeSet<>();
        ModelLoader.DEFAULT_KEYS.values().forEach(k -> defaults.addAll(List.of(k)));
        assertEquals(defaults, keys(mp.get("defaults")));
        Set<String> interfaces = new TreeSet<>();
        mp.get("interface").get("enum").forEach(n -> interfaces.add(n.asText()));
        assertEquals(new TreeSet<>(ModelLoader.INTERFACES), interfaces);

        Set<String> units = new TreeSet<>();
        defs.get("unit").get("enum").forEach(n -> units.add(n.asText()));
        assertEquals(new TreeSet<>(SenmlUnits.KNOWN), units);
    }
}
