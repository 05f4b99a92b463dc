package org.fieldgate.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two example sites and the models pass; broken variants fail with the exact file:line, field and reason. */
class SiteConfigTest {
    static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();
    static final Path MODELS = CONFIG.resolve("models");
    static final Path SOIL = CONFIG.resolve("sites/soil-plot-example.yaml");
    static final Path HOUSE = CONFIG.resolve("sites/mineralisation-house-example.yaml");
    /** The files in models/, sorted: what "known models" lists (from the directory, so a new chip edits no test). */
    static final String MODEL_IDS = modelFileIds();

    private static String modelFileIds() {
        try (Stream<Path> files = Files.list(MODELS)) {
            List<String> ids = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
            assertTrue(ids.size() >= 11, "the example models in " + MODELS + ": " + ids);
            return String.join(", ", ids);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TempDir
    Path dir;

    @Test
    void everyModelLoadsWithoutErrors() {
        ModelLoader.ModelSet set = ModelLoader.loadDir(MODELS);
        assertEquals(List.of(), set.errors());
        assertEquals(MODEL_IDS, String.join(", ", set.models().keySet()));
        SensorModel gmp = set.models().get("gmp252");
        assertEquals(SensorModel.Interface.MODBUS_RTU, gmp.iface());
        assertEquals("240", gmp.defaultAddress());
        assertEquals(0x0000, gmp.registers().get("co2-float").address());
        assertEquals("0x61", set.models().get("scd30").defaultAddress());
        SensorModel.Channel vwc = set.models().get("teros12").channel("vwc");
        assertEquals(3.879e-4 * 2500 - 0.6956, vwc.scale(2500), 1e-12);
        assertEquals("aD0!", set.models().get("teros12").commands().get("data").code());
    }

    @Test
    void soilPlotExampleIsValid() {
        SiteConfig site = SiteConfigs.loadOrThrow(SOIL, MODELS);
        assertEquals("soil-plot-example", site.id());
        assertEquals("Asia/Tokyo", site.timezone().getId());
        assertEquals(6, site.probes().size());
        assertEquals(19, site.channelCount());
        assertEquals(4, site.chambers().chambers().size());
        ChamberConfig c1 = site.chambers().chambers().get(0);
        assertEquals(17, c1.relayPin());
        assertEquals(4076.1 + 2.5 * 317.8, c1.geometry().volumeCm3(), 1e-9);
        assertEquals(3.0, c1.volumeAccuracyPct());
        assertEquals(1.0, c1.areaAccuracyPct());
        assertTrue(c1.geometryCounted());
        assertEquals(880, site.chambers().schedule().slotS() * 4, 1e-9);
        assertEquals(new ChannelRef("analyser", "cell_pressure"), site.chambers().pressure());

        ProbeConfig soil10 = site.probe("soil-co2-10cm");
        assertEquals("241", soil10.address());
        assertEquals(60, soil10.intervalS());
        assertEquals("0x76", site.probe("air").address());
        assertEquals("1", site.probe("soil-water-10cm").address());
    }

    @Test
    void readingsCarryTheCalibrationTheyWereConvertedWith() {
        SiteConfig site = SiteConfigs.loadOrThrow(SOIL, MODELS);
        ChannelConfig vwc = site.probe("soil-water-10cm").channel("vwc_10cm");
        assertEquals("m3/m3", vwc.unit());
        ChannelConfig.Converted before = vwc.convert(2500, LocalDate.of(2025, 2, 1), "teros12");
        assertEquals("model:teros12", before.calibrationId());
        ChannelConfig.Converted mineral = vwc.convert(2500, LocalDate.of(2025, 6, 14), "teros12");
        assertEquals("teros-mineral-2025-03", mineral.calibrationId());
        assertEquals(3.879e-4 * 2500 - 0.6956, mineral.value(), 1e-12);
        ChannelConfig.Converted site2 = vwc.convert(2500, LocalDate.of(2025, 6, 15), "teros12");
        assertEquals("teros-site-2025-06", site2.calibrationId());
        assertEquals(-0.7284 + 4.012e-4 * 2500, site2.value(), 1e-12);
        assertEquals("teros-mineral-2025-03", site.calibrations().get("teros-site-2025-06").supersedes());

        ChannelConfig co2 = site.probe("analyser").channel("co2");
        ChannelConfig.Converted c = co2.convert(400, LocalDate.of(2025, 3, 1), "gmp252");
        assertEquals(-4.2 + 1.0061 * 400, c.value(), 1e-12);
        assertEquals("ppm", c.unit());
    }

    @Test
    void mineralisationHouseExampleIsValid() {
        SiteConfig site = SiteConfigs.loadOrThrow(HOUSE, MODELS);
        assertEquals(6, site.probes().size());
        assertEquals(10, site.channelCount());
        assertNull(site.chambers());
        HouseConfig h = site.house();
        assertEquals(new ChannelRef("co2-inlet", "co2"), h.inletCo2());
        assertEquals(new ChannelRef("airflow", "dp"), h.airflow());
        assertEquals(0.0412, h.ductFactor());
        assertEquals(new ChannelRef("fan-meter", "power"), h.fanPower());
        assertEquals(0.462, h.gridKgCo2PerKwh());
        RockBatch b = h.batches().get(0);
        assertEquals(0.5, b.co2PotentialKgPerKg());
        assertEquals(LocalDate.of(2025, 4, 1), b.startDate());
        assertEquals(24, site.probe("fan-tacho").pin());
        assertEquals(List.of("fan_rpm"), site.probe("fan-tacho").channels().stream().map(ChannelConfig::name).toList());
        assertEquals("0x25", site.probe("airflow").address());
    }

    // ---- broken variants: each a copy of an example with one edit; the whole error line is asserted ----

    private record Variant(Path file, String text) {
        /** 1-based line of the first occurrence of {@code s}. */
        int line(String s) {
            int at = text.indexOf(s);
            assertTrue(at >= 0, "variant text lacks " + s);
            return (int) text.substring(0, at).chars().filter(ch -> ch == '\n').count() + 1;
        }

        String at(String s) {
            return file + ":" + line(s);
        }
    }

    private Variant variant(Path example, String from, String to) throws IOException {
        String text = Files.readString(example, StandardCharsets.UTF_8);
        int at = text.indexOf(from);
        assertTrue(at >= 0, example.getFileName() + " no longer contains " + from);
        String broken = text.substring(0, at) + to + text.substring(at + from.length());
        Path f = dir.resolve("broken-" + example.getFileName());
        Files.writeString(f, broken, StandardCharsets.UTF_8);
        return new Variant(f, broken);
    }

    private static List<String> errors(Variant v) {
        return errors(v, MODELS);
    }

    private static List<String> errors(Variant v, Path models) {
        SiteValidator.Result r = SiteConfigs.check(v.file(), models);
        assertNull(r.config());
        return r.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void remoteNodesDeclareTheUnitsOfChannelsThatArriveWithoutOne() throws IOException {
        SiteConfig site = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/lwm2m-nodes-example.yaml"), MODELS);
        assertEquals(List.of(), site.probes());
        assertEquals("Cel", site.declaredUnit("leshan-node-1", "3303/0/5700"));
        assertEquals("%RH", site.declaredUnit("leshan-node-1", "3304/0/5700"));
        assertNull(site.declaredUnit("leshan-node-1", "3303/1/5700"));
        assertNull(site.declaredUnit("leshan-node-9", "3303/0/5700"));
        SiteConfig soil = SiteConfigs.loadOrThrow(SOIL, MODELS);
        assertEquals("m3/m3", soil.declaredUnit("soil-water-10cm", "vwc_10cm"));

        Variant v = variant(CONFIG.resolve("sites/lwm2m-nodes-example.yaml"), "      3304/0/5700: {unit: '%RH'}",
                "      3304/0/5700: {unit: furlong}\n      /bad: {unit: Cel}\n      x: {}");
        assertEquals(List.of(
                v.at("furlong") + ": remote-nodes[0].channels.3304/0/5700.unit: value 'furlong': not a SenML unit "
                        + "(transport/SenmlUnits.java: ppm, Cel, %RH, kPa, Pa, m3/m3, W, kWh, ...)",
                v.at("/bad") + ": remote-nodes[0].channels./bad: value '/bad': a channel name: " + Names.CHANNEL_ALLOWED,
                v.at("x: {}") + ": remote-nodes[0].channels.x.unit: missing: required; a SenML unit "
                        + "(transport/SenmlUnits.java: ppm, Cel, %RH, kPa, Pa, m3/m3, W, kWh, ...)"), errors(v));
        Variant dup = variant(CONFIG.resolve("sites/lwm2m-nodes-example.yaml"), "  - id: leshan-node-2", "  - id: leshan-node-1");
        assertEquals(List.of(dup.at("  - id: leshan-node-1\n    channels") + ": remote-nodes[1].id: value 'leshan-node-1': "
                + "duplicate remote node id (first at line " + dup.line("leshan-node-1") + ")"), errors(dup));
    }

    @Test
    void lorawanFieldMapsAreValidatedWithFileLineAndField() throws IOException {
        Path file = CONFIG.resolve("sites/lorawan-soil-example.yaml");
        SiteConfig site = SiteConfigs.loadOrThrow(file, MODELS);
        assertEquals(List.of("6f0e6e2a-3c1b-4f7e-9a51-2d8f0c3b7a10", "soil-network"), site.lorawan().applications());
        assertEquals("vwc", site.lorawan().mapFor(List.of("unknown"), "LSE01").fields().get("water_SOIL").channel());
        assertEquals(1, site.lorawan().mapFor(List.of("lse01-plot-b-1"), "LSE01").fields().get("water_SOIL")
                .calibrations().size());
        Variant v = variant(file, "      temp_SOIL: {channel: soil_temp, unit: Cel}\n      conduct_SOIL",
                "      temp_SOIL: {channel: soil_temp, unit: degC, calibration: nope}\n      conduct_SOIL");
        assertEquals(List.of(
                v.at("unit: degC") + ": lorawan.profiles.LSE01.temp_SOIL.unit: value 'degC': not a SenML unit "
                        + "(transport/SenmlUnits.java: ppm, Cel, %RH, kPa, Pa, m3/m3, W, kWh, ...); did you mean 'deg'?",
                v.at("unit: degC") + ": lorawan.profiles.LSE01.temp_SOIL.calibration: value 'nope': a calibration id "
                        + "defined under calibrations"), errors(v));
    }

    @Test
    void unknownKeySuggestsTheClosestOne() throws IOException {
        Variant v = variant(SOIL, "    interval-s: 300", "    intervall-s: 300");
        assertEquals(List.of(v.at("intervall-s") + ": probes[3].intervall-s: value '300': unknown key; did you mean"
                + " 'interval-s'? (allowed: id, model, bus, address, pin, interval-s, depth-cm, channels, settings, description)"),
                errors(v));
    }

    @Test
    void missingModel() throws IOException {
        Variant v = variant(SOIL, "  - id: air\n    model: bme280\n", "  - id: air\n");
        assertEquals(List.of(v.at("- id: air") + ": probes[5].model: missing: required; a model id from models/: "
                + MODEL_IDS), errors(v));
    }

    @Test
    void theAnalysersCellTemperatureIsNotTheChamberAirTemperature() throws IOException {
        Variant v = variant(SOIL, "temperature: {probe: air, channel: air_temp}\n  pressure: {probe: analyser",
                "temperature: {probe: analyser, channel: cell_temp}\n  pressure: {probe: analyser");
        assertEquals(List.of(v.at("temperature: {probe: analyser, channel: cell_temp}") + ": analyser.temperature"
                + ".channel: value 'cell_temp': the analyser's cell temperature, not the chamber air's; use an air"
                + " temperature channel in or beside the chamber"), errors(v));
    }

    @Test
    void aSerialBusCarriesOneInstrumentWithoutAnAddress() throws IOException {
        Variant v = variant(SOIL, "    model: li850\n    bus: rs232-1\n",
                "    model: li850\n    bus: rs232-1\n    address: 3\n");
        assertEquals(List.of(v.at("address: 3") + ": probes[0].address: value '3': no address: a serial bus carries"
                + " one instrument"), errors(v));
        v = variant(SOIL, "  - id: air\n    model: bme280\n    bus: i2c-1\n    address: 0x76\n",
                "  - id: air\n    model: li830\n    bus: rs232-1\n");
        List<String> e = errors(v);
        assertEquals(v.at("bus: rs232-1\n    interval-s: 2\n    channels:\n      temp") + ": probes[5].bus: value"
                + " 'rs232-1': already used by the probe at line " + v.line("bus: rs232-1\n    interval-s: 2\n    desc")
                + "; a serial bus carries one instrument", e.get(0));
    }

    @Test
    void wrongType() throws IOException {
        Variant v = variant(SOIL, "interval-s: 2\n    description", "interval-s: two\n    description");
        assertEquals(List.of(v.at("interval-s: two") + ": probes[0].interval-s: value 'two': not a number; seconds"
                + " between samples, at least the model's minimum 0.5 s, at most 86400"), errors(v));
    }

    @Test
    void valueOutOfRange() throws IOException {
        Variant v = variant(HOUSE, "co2-potential-kg-per-kg: 0.5", "co2-potential-kg-per-kg: 5");
        assertEquals(List.of(v.at("co2-potential-kg-per-kg") + ": house.batches[0].co2-potential-kg-per-kg: value '5':"
                + " out of range; kg CO2 per kg rock from its Ca/Mg content, 0.001-1.1 (typically 0.485-0.602)"),
                errors(v));
    }

    @Test
    void unknownModel() throws IOException {
        Variant v = variant(HOUSE, "model: sdm120", "model: sdm210");
        assertEquals(List.of(v.at("model: sdm210") + ": probes[4].model: value 'sdm210': not a model in models/;"
                + " did you mean 'sdm120'? (known: " + MODEL_IDS + ")"), errors(v));
    }

    @Test
    void duplicateChannelName() throws IOException {
        Variant v = variant(SOIL, "temp: {name: temp_30cm}", "temp: {name: co2_30cm}");
        assertEquals(List.of(v.at("temp: {name: co2_30cm}") + ": probes[2].channels.temp.name: value 'co2_30cm':"
                + " duplicate channel name in this probe (also at line " + v.line("co2: {name: co2_30cm")
                + "); each channel of a device needs its own name"), errors(v));
    }

    @Test
    void twoProbesOnOneBusAddress() throws IOException {
        Variant v = variant(SOIL, "address: 242", "address: 241");
        int first = v.line("address: 241");
        int second = v.text().substring(v.text().indexOf("address: 241") + 1).indexOf("address: 241");
        int secondLine = (int) v.text().substring(0, v.text().indexOf("address: 241") + 1 + second)
                .chars().filter(ch -> ch == '\n').count() + 1;
        assertEquals(List.of(v.file() + ":" + secondLine + ": probes[2].address: value '241': already used on bus"
                + " rs485-1 by the probe at line " + first + "; each probe on a bus needs its own address"), errors(v));
    }

    @Test
    void gpioPinUsedTwice() throws IOException {
        Variant v = variant(SOIL, "relay-pin: 23", "relay-pin: 17");
        assertEquals(List.of(v.at("id: chamber-4") + ": chambers[3].relay-pin: value '17': GPIO 17 is already used by"
                + " chamber chamber-1 (line " + v.line("id: chamber-1") + "); each pin drives one thing"), errors(v));
    }

    // ---- chamber geometry accuracies (docs/science.md §7.2) ----

    @Test
    void chamberGeometryAccuracyOutOfRangeNamesFileLineFieldAndValue() throws IOException {
        Variant v = variant(SOIL, "volume-accuracy-pct: 3", "volume-accuracy-pct: 150");
        assertEquals(List.of(v.at("volume-accuracy-pct: 150") + ": chambers[0].volume-accuracy-pct: value '150': out of"
                + " range; +- limit of the headspace volume (collar offset included), 0-100 % of V"), errors(v));
        Variant neg = variant(SOIL, "area-accuracy-pct: 1}", "area-accuracy-pct: -1}");
        assertEquals(List.of(neg.at("area-accuracy-pct: -1") + ": chambers[0].area-accuracy-pct: value '-1': out of"
                + " range; +- limit of the soil area, 0-100 % of S"), errors(neg));
    }

    @Test
    void chamberGeometryAccuracyNeedsBothVolumeAndArea() throws IOException {
        Variant v = variant(SOIL, ", area-accuracy-pct: 1}", "}");
        assertEquals(List.of(v.at("volume-accuracy-pct: 3}") + ": chambers[0].volume-accuracy-pct: value '3': state"
                + " area-accuracy-pct too (0 if exact); with one alone the geometry would count half"), errors(v));
    }

    @Test
    void chamberWithoutGeometryAccuracyIsValidAndCountsItsGeometryAsExact() throws IOException {
        Variant v = variant(SOIL, ",\n     volume-accuracy-pct: 3, area-accuracy-pct: 1}", "}");
        SiteConfig site = SiteConfigs.loadOrThrow(v.file(), MODELS);
        ChamberConfig c1 = site.chambers().chambers().get(0);
        assertNull(c1.volumeAccuracyPct());
        assertNull(c1.areaAccuracyPct());
        assertTrue(!c1.geometryCounted());
        assertTrue(site.chambers().chambers().get(1).geometryCounted());
    }

    @Test
    void calibrationReferencedButNotDefined() throws IOException {
        Variant v = variant(HOUSE, "co2: {calibration: inlet-co2-2025-04}", "co2: {calibration: inlet-co2-2025-05}");
        assertEquals(List.of(v.at("inlet-co2-2025-05") + ": probes[0].channels.co2.calibration: value"
                + " 'inlet-co2-2025-05': not a calibration defined under calibrations; did you mean 'inlet-co2-2025-04'?"
                + " (defined: inlet-co2-2025-04, outlet-co2-2025-04)"), errors(v));
    }

    @Test
    void calibrationValidFromNotAnIsoDate() throws IOException {
        Variant v = variant(SOIL, "valid-from: 2025-06-15", "valid-from: 15/06/2025");
        assertEquals(List.of(v.at("15/06/2025") + ": calibrations[4].valid-from: value '15/06/2025': an ISO-8601"
                + " calendar date, YYYY-MM-DD"), errors(v));
    }

    @Test
    void unitNotInSenml() throws IOException {
        Variant v = variant(SOIL, "unit: m3/m3", "unit: m3m3");
        assertEquals(List.of(v.at("unit: m3m3") + ": calibrations[3].unit: value 'm3m3': not a SenML unit"
                + " (transport/SenmlUnits.java: ppm, Cel, %RH, kPa, Pa, m3/m3, W, kWh, ...); did you mean 'm3/m3'?"),
                errors(v));
    }

    @Test
    void scheduleDoesNotFitTheCycle() throws IOException {
        Variant v = variant(SOIL, "cycle-s: 1800", "cycle-s: 600");
        assertEquals(List.of(v.at("cycle-s: 600") + ": schedule.cycle-s: value '600': too short for 4 chambers x 220 s"
                + " (close + dead band + observation + open + purge); at least 880 s"), errors(v));
    }

    @Test
    void unknownTimezone() throws IOException {
        Variant v = variant(SOIL, "timezone: Asia/Tokyo", "timezone: Asia/Tokio");
        assertEquals(List.of(v.at("timezone") + ": timezone: value 'Asia/Tokio': an IANA time zone such as Asia/Tokyo,"
                + " Europe/Berlin or UTC; did you mean 'Asia/Tokyo'?"), errors(v));
    }

    @Test
    void probeOnTheWrongKindOfBus() throws IOException {
        Variant v = variant(SOIL, "bus: sdi12-1", "bus: rs485-1");
        assertEquals(List.of(v.at("bus: rs485-1\n    address: 1") + ": probes[3].bus: value 'rs485-1': a modbus-rtu"
                + " bus; model teros12 needs a sdi12 bus: sdi12-1"), errors(v));
    }

    @Test
    void houseReferenceToAChannelThatIsNotPublished() throws IOException {
        Variant v = variant(HOUSE, "channel: energy_import", "channel: energy");
        assertEquals(List.of(v.at("channel: energy}") + ": house.fan-energy.channel: value 'energy': not a channel of"
                + " probe fan-meter (channels: power, energy_import)"), errors(v));
    }

    @Test
    void brokenModelFileIsReportedWithItsOwnFileAndLine() throws IOException {
        Path models = Files.createDirectory(dir.resolve("models"));
        try (var files = Files.list(MODELS)) {
            for (Path f : files.toList()) {
                Files.copy(f, models.resolve(f.getFileName()));
            }
        }
        Path gmp = models.resolve("gmp252.yaml");
        String text = Files.readString(gmp).replace("    unit: ppm\n", "    unit: ppmv\n");
        Files.writeString(gmp, text);
        int line = (int) text.substring(0, text.indexOf("unit: ppmv")).chars().filter(ch -> ch == '\n').count() + 1;
        Variant v = new Variant(SOIL, Files.readString(SOIL));
        assertEquals(List.of(gmp + ":" + line + ": channels[0].unit: value 'ppmv': not a SenML unit"
                + " (transport/SenmlUnits.java: ppm, Cel, %RH, kPa, Pa, m3/m3, W, kWh, ...); did you mean 'ppm'?"),
                errors(v, models));
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() throws IOException {
        Variant v = variant(SOIL, "  gpio:    {type: gpio, device: /dev/gpiochip0}\n", "  gpio:    {type: gpio, device: /dev/gpiochip0\n");
        assertEquals(List.of(v.at("calibrations:") + ": (yaml): value 'calibrations:': not valid YAML: expected ',' or"
                + " '}', but got : (while parsing a flow mapping at line " + v.line("  gpio:") + ")"), errors(v));
    }

    @Test
    void everyErrorIsCollectedNotJustTheFirst() throws IOException {
        Variant v = variant(SOIL, "timezone: Asia/Tokyo", "timezone: Mars/Olympus");
        String text = v.text().replace("cycle-s: 1800", "cycle-s: 60").replace("relay-pin: 23", "relay-pin: 99")
                .replace("model: teros12", "model: teros");
        Files.writeString(v.file(), text);
        List<String> errors = errors(new Variant(v.file(), text));
        assertEquals(5, errors.size(), String.join("\n", errors));
        assertTrue(errors.get(0).contains(": timezone: value 'Mars/Olympus'"), errors.get(0));
        assertTrue(errors.get(4).contains(": chambers[3].relay-pin: value '99': out of range; a BCM GPIO number"),
                errors.get(4));
    }

    @Test
    void loadOrThrowListsEveryErrorOneAPerLine() throws IOException {
        Variant v = variant(SOIL, "cycle-s: 1800", "cycle-s: 600");
        Files.writeString(v.file(), v.text().replace("relay-pin: 23", "relay-pin: 17"));
        InvalidSiteConfigException e = assertThrows(InvalidSiteConfigException.class,
                () -> SiteConfigs.loadOrThrow(v.file(), MODELS));
        assertEquals(2, e.errors().size());
        assertEquals(2, e.getMessage().split(System.lineSeparator()).length);
        assertTrue(e.getMessage().startsWith(v.file() + ":"), e.getMessage());
    }
}
