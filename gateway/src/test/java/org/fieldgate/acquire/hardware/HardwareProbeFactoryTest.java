package org.fieldgate.acquire.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.FakeI2CProvider;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.ads1115.Ads1115Fake;
import org.fieldgate.acquire.bme280.Bme280Fake;
import org.fieldgate.acquire.chamber.LidActuator;
import org.fieldgate.acquire.gmp252.Gmp252;
import org.fieldgate.acquire.li850.Li850Fake;
import org.fieldgate.acquire.gmp252.Gmp252Fake;
import org.fieldgate.acquire.scd30.Scd30Fake;
import org.fieldgate.acquire.scd4x.Scd4xFake;
import org.fieldgate.acquire.sdm.SdmEnergyMeter;
import org.fieldgate.acquire.sdm.SdmFake;
import org.fieldgate.acquire.sdp8xx.Sdp8xxFake;
import org.fieldgate.acquire.serial.FakeSerialLink;
import org.fieldgate.acquire.serial.InstrumentFake;
import org.fieldgate.acquire.serial.MultiDropFake;
import org.fieldgate.acquire.serial.SerialLink;
import org.fieldgate.acquire.teros12.Teros12Fake;
import org.fieldgate.site.ModelLoader;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SensorModel;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two example site files built on Pi4J's mock platform with the byte-exact chip and instrument fakes at
 * their bus addresses: every probe builds, samples exactly its model's channels in the model's units, shares one
 * link per serial bus, and a fault stays with the probe whose bus it is on.
 */
class HardwareProbeFactoryTest {
    static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();
    static final Path MODELS = CONFIG.resolve("models");

    private final VirtualClock clock = new VirtualClock();
    private final FakeI2CProvider i2c = new FakeI2CProvider();
    private final Map<String, InstrumentFake> wires = new HashMap<>();
    private final Map<String, FakeSerialLink> links = new LinkedHashMap<>();
    private final List<String> opened = new ArrayList<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private Context context;
    private HardwareProbeFactory factory;

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        if (factory != null) {
            factory.close();
        }
    }

    private HardwareProbeFactory factory() {
        factory = new HardwareProbeFactory(() -> context = Pi4J.newContextBuilder().add(new MockPlatform())
                .add(MockI2CProvider.newInstance(), i2c, MockDigitalInputProvider.newInstance(),
                        MockDigitalOutputProvider.newInstance()).build(),
                new HardwareProbeFactory.Providers(FakeI2CProvider.ID, MockDigitalInputProvider.ID,
                        MockDigitalOutputProvider.ID),
                (device, settings) -> {
                    InstrumentFake wire = wires.get(device);
                    if (wire == null) {
                        throw new IOException(device + ": No such file or directory");
                    }
                    opened.add(device + " " + settings);
                    FakeSerialLink link = new FakeSerialLink(clock, settings, wire, settings.dataBits() == 7);
                    links.put(device, link);
                    return new OverlapCheckingLink(link);
                }, clock);
        return factory;
    }

    private Gmp252Fake gmp(int slave) {
        return new Gmp252Fake(clock, slave, Gmp252.DEFAULT_SERIAL.charNanos());
    }

    /** The probe's measurements are exactly its model's channels, each in the model's unit. */
    private static Map<String, Measurement> assertModelChannels(ProbeConfig p, List<Measurement> values) {
        Map<String, Measurement> byName = new LinkedHashMap<>();
        values.forEach(m -> byName.put(m.channel(), m));
        TreeSet<String> expected = new TreeSet<>();
        p.model().channels().forEach(c -> expected.add(c.name()));
        assertEquals(expected, new TreeSet<>(byName.keySet()), p.id());
        assertEquals(values.size(), byName.size(), p.id() + ": a channel twice");
        for (Measurement m : values) {
            assertEquals(p.model().channel(m.channel()).unit(), m.unit(), p.id() + " " + m.channel());
        }
        return byName;
    }

    private Map<String, Probe> createAll(SiteConfig site) {
        Map<String, Probe> probes = new LinkedHashMap<>();
        for (ProbeConfig p : site.probes()) {
            probes.put(p.id(), factory.create(site, p));
        }
        return probes;
    }

    @Test
    void soilPlotExampleSamplesEveryProbeWithItsModelsChannels() throws Exception {
        Li850Fake analyser = new Li850Fake(clock);
        analyser.afterAck = Li850Fake.record("415.5", "12.25", "51.0", "98.75");
        wires.put("/dev/ttyUSB2", analyser);
        Gmp252Fake soil10 = gmp(241);
        Gmp252Fake soil30 = gmp(242);
        soil10.set(812.5f, 11.0f, 11.25f);
        soil30.set(1490.0f, 10.0f, 10.5f);
        wires.put("/dev/ttyUSB0", new MultiDropFake(clock, soil10, soil30));
        Teros12Fake water10 = new Teros12Fake(clock, '1');
        Teros12Fake water30 = new Teros12Fake(clock, '2');
        water30.set("+2950.00", "+14.1", "+350");
        wires.put("/dev/ttyUSB1", new MultiDropFake(clock, water10, water30));
        Bme280Fake air = new Bme280Fake(clock);
        air.setEnvironment(21.0, 101_325, 55);
        i2c.attach(0x76, air);
        SiteConfig site = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/soil-plot-example.yaml"), MODELS);

        factory();
        Map<String, Probe> probes = createAll(site);
        Map<String, Map<String, Measurement>> m = new LinkedHashMap<>();
        for (ProbeConfig p : site.probes()) {
            m.put(p.id(), assertModelChannels(p, probes.get(p.id()).sample()));
        }
        // one link per bus, with the bus's line settings; two GMP252s share one master, the LI-850 has its own port
        assertEquals(List.of("/dev/ttyUSB2 9600 8N1", "/dev/ttyUSB0 19200 8N2", "/dev/ttyUSB1 1200 7E1"), opened);
        assertEquals(415.5, m.get("analyser").get("co2").value());
        assertEquals(12.25, m.get("analyser").get("h2o").value());
        assertEquals(98.75, m.get("analyser").get("cell_pressure").value());
        assertEquals(812.5, m.get("soil-co2-10cm").get("co2").value());
        assertEquals(1490.0, m.get("soil-co2-30cm").get("co2").value());
        assertEquals(10.5, m.get("soil-co2-30cm").get("temp").value());
        assertEquals("GMP252 at /dev/ttyFAKE0/241", probes.get("soil-co2-10cm").model() + " at "
                + probes.get("soil-co2-10cm").address());
        assertEquals(0, soil10.silenceViolations() + soil30.silenceViolations());
        assertEquals(1861.92, m.get("soil-water-10cm").get("vwc_raw").value());
        assertEquals(2950.0, m.get("soil-water-30cm").get("vwc_raw").value());
        assertEquals(3.879e-4 * 2950 - 0.6956, m.get("soil-water-30cm").get("vwc").value(), 1e-12);
        assertEquals(0.35, m.get("soil-water-30cm").get("ec").value(), 1e-12);
        assertEquals(14.1, m.get("soil-water-30cm").get("temp").value());
        // the BME280 formula gives Pa; the bme280 model publishes kPa
        assertEquals(101.325, m.get("air").get("pressure").value(), 0.01);
        assertEquals(21.0, m.get("air").get("temp").value(), 0.01);
        assertEquals(55.0, m.get("air").get("rh").value(), 0.5);
        for (Map<String, Measurement> values : m.values()) {
            for (Measurement v : values.values()) {
                // GMP252 values carry WARMING_UP for their first 2 min; nothing else may be flagged
                assertEquals(0, v.qc() & ~QcFlags.WARMING_UP, v.toString());
            }
        }
        assertEquals(0, overlaps.get());
    }

    @Test
    void soilPlotChamberLidsAreRelaysOnTheirPins() throws Exception {
        SiteConfig site = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/soil-plot-example.yaml"), MODELS);
        LidActuator lids = factory().lids(site);
        DigitalOutput pin27 = context.registry().get("relay-27");
        assertEquals(DigitalState.HIGH, pin27.state()); // released, lid open (gpio-relay: active-low)
        lids.close("chamber-2");
        assertEquals(DigitalState.LOW, pin27.state());
        assertEquals(DigitalState.HIGH, ((DigitalOutput) context.registry().get("relay-17")).state());
        clock.advance(Duration.ofSeconds(10)); // the relay's minimum dwell
        lids.open("chamber-2");
        assertEquals(DigitalState.HIGH, pin27.state());
        assertThrows(IllegalArgumentException.class, () -> lids.close("chamber-9"));
        SiteConfig house = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/mineralisation-house-example.yaml"), MODELS);
        assertNull(factory.lids(house));
    }

    @Test
    void houseExampleSamplesEveryProbeAndAFaultStaysWithItsProbe() throws Exception {
        Gmp252Fake inlet = gmp(240);
        Gmp252Fake outlet = gmp(241);
        inlet.set(421.0f, 18f, 18.5f);
        outlet.set(402.5f, 18f, 18.6f);
        wires.put("/dev/ttyUSB0", new MultiDropFake(clock, inlet, outlet));
        SdmFake meter = new SdmFake(clock, SdmEnergyMeter.Variant.SDM120, 1);
        meter.set(231.0f, 86.5f, 1520.25f);
        wires.put("/dev/ttyUSB1", meter);
        Sdp8xxFake flow = new Sdp8xxFake(clock);
        flow.set(42.0, 21.5);
        Bme280Fake air = new Bme280Fake(clock);
        air.setEnvironment(19.0, 100_800, 70);
        i2c.attach(0x25, flow).attach(0x77, air);
        SiteConfig site = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/mineralisation-house-example.yaml"), MODELS);

        factory();
        Map<String, Probe> probes = createAll(site);
        clock.advance(Duration.ofSeconds(10)); // the tachometer counts over an interval
        MockDigitalInput tach = context.registry().get("pulse-24");
        tach.mockState(DigitalState.HIGH); // pulled up, idle
        for (int i = 0; i < 40; i++) { // 40 pulses in 2 s = 20 Hz = 600 rpm at 2 pulses per revolution
            clock.advance(Duration.ofMillis(25));
            tach.mockState(DigitalState.LOW);
            clock.advance(Duration.ofMillis(25));
            tach.mockState(DigitalState.HIGH);
        }
        Map<String, Map<String, Measurement>> m = new LinkedHashMap<>();
        m.put("fan-tacho", assertModelChannels(site.probe("fan-tacho"), probes.get("fan-tacho").sample()));
        for (ProbeConfig p : site.probes()) {
            m.putIfAbsent(p.id(), assertModelChannels(p, probes.get(p.id()).sample()));
        }
        assertEquals(List.of("/dev/ttyUSB0 19200 8N2", "/dev/ttyUSB1 2400 8N1"), opened);
        assertEquals(421.0, m.get("co2-inlet").get("co2").value());
        assertEquals(402.5, m.get("co2-outlet").get("co2").value());
        assertEquals(42.0, m.get("airflow").get("dp").value());
        assertEquals(21.5, m.get("airflow").get("temp").value());
        // differential-pressure compensation, averaging till read (datasheet 0x3615), after the stop
        assertEquals(List.of("W 3ff9", "W 3615"), flow.transactions().subList(0, 2));
        assertEquals(100.8, m.get("air").get("pressure").value(), 0.01);
        assertEquals(86.5, m.get("fan-meter").get("power").value());
        assertEquals(1520.25, m.get("fan-meter").get("energy_import").value());
        assertEquals(231.0, m.get("fan-meter").get("voltage").value());
        assertEquals(600.0 * 2 / 12, m.get("fan-tacho").get("speed").value(), 1e-9); // 40 pulses in 12 s
        assertEquals(40.0 / 12, m.get("fan-tacho").get("frequency").value(), 1e-9);

        // the BME280 stops answering: its probe fails with a NACK, the SDP810 on the same bus carries on
        air.disconnect();
        ProbeException nack = assertThrows(ProbeException.class, () -> probes.get("air").sample());
        assertEquals(ProbeException.Cause.NACK, nack.failure());
        assertEquals("BME280", nack.model());
        // the meter's adapter is unplugged: only the meter fails; the other RS-485 bus is untouched
        links.get("/dev/ttyUSB1").unplug(true);
        ProbeException gone = assertThrows(ProbeException.class, () -> probes.get("fan-meter").sample());
        assertEquals(ProbeException.Cause.NACK, gone.failure());
        assertTrue(gone.getMessage().contains("No such device"), gone.getMessage());
        for (String ok : List.of("co2-inlet", "co2-outlet", "airflow", "fan-tacho")) {
            probes.get(ok).sample();
        }
        assertEquals(1, probes.get("air").counters().failures());
        assertEquals(1, probes.get("fan-meter").counters().failures());
        assertEquals(0, probes.get("airflow").counters().failures());
        assertEquals(0, probes.get("co2-inlet").counters().failures());
        // both come back: the BME280 re-initialised after its power cycle
        air.reconnectAfterPowerCycle();
        links.get("/dev/ttyUSB1").unplug(false);
        List<Measurement> back = probes.get("air").sample();
        assertTrue(back.get(0).has(QcFlags.REINITIALISED));
        probes.get("fan-meter").sample();
    }

    @Test
    void probesOnOneRs485BusAreSampledOneAtATime() throws Exception {
        Gmp252Fake[] slaves = {gmp(241), gmp(242)};
        for (int i = 0; i < 2; i++) {
            slaves[i].set(400f + 100 * i, 20f, 20f);
        }
        wires.put("/dev/ttyUSB0", new MultiDropFake(clock, slaves));
        wires.put("/dev/ttyUSB1", new MultiDropFake(clock, new Teros12Fake(clock, '1'), new Teros12Fake(clock, '2')));
        i2c.attach(0x76, new Bme280Fake(clock));
        SiteConfig site = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/soil-plot-example.yaml"), MODELS);
        factory();
        List<String> ids = List.of("soil-co2-10cm", "soil-co2-30cm");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Probe probe = factory.create(site, site.probe(ids.get(i)));
                double co2 = 400 + 100 * i;
                done.add(pool.submit(() -> {
                    for (int n = 0; n < 100; n++) {
                        assertEquals(co2, probe.sample().get(0).value());
                    }
                    return 100;
                }));
            }
            int samples = 0;
            for (Future<Integer> f : done) {
                samples += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(200, samples);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, overlaps.get(), "two threads on one serial link at once");
        for (Gmp252Fake s : slaves) {
            assertEquals(201, s.requests()); // status once to initialise, then measurement block + status per sample
        }
    }

    @Test
    void everyModelBuildsWithItsSettings() throws Exception {
        Path sites = Files.createDirectories(dir.resolve("sites"));
        Path site = sites.resolve("all-models.yaml");
        Files.writeString(site, """
                kind: site
                id: all-models
                name: every model once
                location: {latitude: 36.0, longitude: 140.0}
                timezone: UTC
                sampling: {default-interval-s: 10}
                buses:
                  i2c-1:   {type: i2c, device: /dev/i2c-1}
                  rs485-3: {type: modbus-rtu, device: /dev/ttyUSB2, baud: 9600, parity: none, stop-bits: 1}
                probes:
                  - {id: chamber-co2, model: scd30, bus: i2c-1, settings: {measurement-interval-s: 5}}
                  - {id: room-co2, model: scd41, bus: i2c-1, settings: {ambient-pressure-pa: 101300}}
                  - id: adc
                    model: ads1115
                    bus: i2c-1
                    settings: {ain0-range-v: 2.048, data-rate-sps: 860}
                    channels: {ain2: {enabled: false}}
                  - {id: duct, model: sdp810, bus: i2c-1, settings: {compensation: mass-flow, averaging: false}}
                  - {id: air, model: bme280, bus: i2c-1, settings: {oversampling-humidity: x4, filter: 0}}
                  - {id: mains, model: sdm630, bus: rs485-3, settings: {response-timeout-ms: 1500}}
                  - {id: wind, model: gpio-pulse, pin: 5, settings: {pulses-per-revolution: 4, edge: rising}}
                  - {id: vent, model: gpio-relay, pin: 6, settings: {active-low: false, min-dwell-s: 2}}
                """);
        Scd30Fake scd30 = new Scd30Fake(clock);
        scd30.set(612.5f, 22.25f, 48.5f);
        Scd4xFake scd41 = new Scd4xFake(clock);
        Ads1115Fake adc = new Ads1115Fake(clock);
        adc.setVolts(0, 1.5);
        adc.setVolts(3, 0.25);
        Sdp8xxFake sdp = new Sdp8xxFake(clock);
        i2c.attach(0x61, scd30).attach(0x62, scd41).attach(0x48, adc).attach(0x25, sdp)
                .attach(0x76, new Bme280Fake(clock));
        wires.put("/dev/ttyUSB2", new SdmFake(clock, SdmEnergyMeter.Variant.SDM630, 1));
        SiteConfig config = SiteConfigs.loadOrThrow(site, MODELS);

        factory();
        Map<String, Probe> probes = createAll(config);
        clock.advance(Duration.ofSeconds(1));
        for (ProbeConfig p : config.probes()) {
            List<Measurement> values = probes.get(p.id()).sample();
            if (p.id().equals("adc")) {
                // only the inputs the probe publishes are converted
                assertEquals(List.of("ain0", "ain1", "ain3"), values.stream().map(Measurement::channel).toList());
                assertEquals(1.5, values.get(0).value(), 2.048 / 32768);
                assertEquals(0.25, values.get(2).value(), 4.096 / 32768);
            } else {
                assertModelChannels(p, values);
            }
        }
        assertEquals(List.of("/dev/ttyUSB2 9600 8N1"), opened);
        // mass-flow compensation without averaging: datasheet command 0x3608
        assertEquals(List.of("W 3ff9", "W 3608"), sdp.transactions().subList(0, 2));
        // SCD30: interval 5 s (0x4600, argument 0x0005 with its CRC), SCD41: pressure 101300 Pa / 100 = 0x03f5
        assertTrue(scd30.transactions().contains("W 4600000574"), scd30.transactions().toString());
        assertTrue(scd41.transactions().stream().anyMatch(t -> t.equals("W e00003f5db")),
                scd41.transactions().toString());
        // the relay is not active-low here: released is a low line
        assertEquals(DigitalState.LOW, ((DigitalOutput) context.registry().get("relay-6")).state());
        assertEquals(612.5, probes.get("chamber-co2").sample().get(0).value());
    }

    @Test
    void badSettingsAndUnopenableBusesNameTheProbeModelAndSetting() throws Exception {
        SiteConfig site = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/soil-plot-example.yaml"), MODELS);
        factory();
        // no adapter at /dev/ttyUSB2
        IllegalArgumentException noPort = assertThrows(IllegalArgumentException.class,
                () -> factory.create(site, site.probe("analyser")));
        assertEquals("probe analyser (model li850): bus rs232-1 (/dev/ttyUSB2, 9600 8N1): cannot open:"
                + " /dev/ttyUSB2: No such file or directory", noPort.getMessage());

        ProbeConfig air = site.probe("air");
        IllegalArgumentException badValue = assertThrows(IllegalArgumentException.class,
                () -> factory.create(site, with(air, Map.of("oversampling-pressure", "x3"))));
        assertEquals("probe air (model bme280): settings.oversampling-pressure: value 'x3': one of x1, x2, x4, x8,"
                + " x16", badValue.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> factory.create(site, with(air, Map.of("gain", "2"))));
        assertEquals("probe air (model bme280): settings.gain: value '2': not a setting of model bme280 (settings:"
                + " oversampling-temperature, oversampling-pressure, oversampling-humidity, filter, stuck-repeats)",
                unknown.getMessage());
        // a driver's own check (the BME280 sits at 0x76 or 0x77) still names the probe
        IllegalArgumentException address = assertThrows(IllegalArgumentException.class,
                () -> factory.create(site, new ProbeConfig("air", air.model(), air.bus(), "0x40", null, 2, null,
                        air.channels(), air.line(), Map.of())));
        assertEquals("probe air (model bme280): BME280 address must be 0x76 or 0x77, not 0x40", address.getMessage());
        SensorModel m = air.model();
        SensorModel other = new SensorModel("hyt939", m.name(), m.manufacturer(), m.iface(), m.datasheet(),
                m.warmupS(), m.minIntervalS(), "0x28", m.settings(), m.registers(), m.commands(), m.channels(),
                m.file());
        IllegalArgumentException noDriver = assertThrows(IllegalArgumentException.class,
                () -> factory.create(site, new ProbeConfig("rh", other, "i2c-1", "0x28", null, 2, null, List.of(),
                        1, Map.of())));
        // the drivers are the registered chips, one per model file (ChipRegistrationsTest)
        assertEquals("probe rh (model hyt939): model: no hardware driver for model 'hyt939' (drivers: "
                + String.join(", ", ModelLoader.loadDir(MODELS).models().keySet()) + ")", noDriver.getMessage());
    }

    @Test
    void theRaspberryPiFactoryLoadsNothingUntilAProbeNeedsIt() {
        SiteConfig house = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/mineralisation-house-example.yaml"), MODELS);
        HardwareProbeFactory pi = HardwareProbeFactory.raspberryPi();
        assertNull(pi.lids(house)); // no chambers: no Pi4J context, no native library
        pi.close();
        assertThrows(IllegalStateException.class, () -> pi.create(house, house.probe("air")));
    }

    @Test
    void onABoardWithoutAGpioChipAGpioProbeSaysSoInOneLine() {
        Assumptions.assumeFalse(hasGpioChip(), "this machine has a /dev/gpiochip*: the GPIO probe would open");
        SiteConfig house = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/mineralisation-house-example.yaml"), MODELS);
        // Pi4J's gpiod plugin on an unknown board ("No gpio chip yet initialized!"), and without it ("provider not found")
        for (HardwareProbeFactory pi : List.of(HardwareProbeFactory.raspberryPi(), new HardwareProbeFactory(
                () -> com.pi4j.Pi4J.newContextBuilder().build(), HardwareProbeFactory.Providers.RASPBERRY_PI, (device, settings) -> {
                    throw new java.io.IOException("no serial port here");
                }, clock))) {
            try {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pi.create(house, house.probe("fan-tacho")));
                assertEquals("probe fan-tacho (model gpio-pulse): pin 24: cannot open GPIO input: no usable GPIO chip: not a Raspberry"
                        + " Pi, no /dev/gpiochip*, or not in group gpio", e.getMessage());
                assertNull(e.getCause(), "no Pi4J stack trace behind it");
            } finally {
                pi.close();
            }
        }
    }

    private static boolean hasGpioChip() {
        try (java.util.stream.Stream<Path> dev = Files.list(Path.of("/dev"))) {
            return dev.anyMatch(f -> f.getFileName().toString().startsWith("gpiochip"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ProbeConfig with(ProbeConfig p, Map<String, String> settings) {
        return new ProbeConfig(p.id(), p.model(), p.bus(), p.address(), p.pin(), p.intervalS(), p.depthCm(),
                p.channels(), p.line(), settings);
    }

    /** Counts calls that enter the link while another thread is still inside it. */
    private final class OverlapCheckingLink implements SerialLink {
        private final SerialLink link;

        OverlapCheckingLink(SerialLink link) {
            this.link = link;
        }

        private void enter() {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
        }

        @Override
        public String port() {
            return link.port();
        }

        @Override
        public Settings settings() {
            return link.settings();
        }

        @Override
        public void write(byte[] tx) throws IOException {
            enter();
            try {
                link.write(tx);
            } finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public byte[] read(int max, Duration timeout) throws IOException {
            enter();
            try {
                return link.read(max, timeout);
            } finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public void discardInput() throws IOException {
            enter();
            try {
                link.discardInput();
            } finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public void sendBreak(Duration d) throws IOException {
            enter();
            try {
                link.sendBreak(d);
            } finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public void close() {
            link.close();
        }
    }
}
