package org.fieldgate.acquire.hardware;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.I2cLink;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.ProbeFactory;
import org.fieldgate.acquire.ads1115.Ads1115;
import org.fieldgate.acquire.bme280.Bme280;
import org.fieldgate.acquire.chamber.LidActuator;
import org.fieldgate.acquire.gmp252.Gmp252;
import org.fieldgate.acquire.gpio.PulseCounter;
import org.fieldgate.acquire.gpio.RelayLidActuator;
import org.fieldgate.acquire.gpio.RelayOutput;
import org.fieldgate.acquire.modbus.ModbusRtuMaster;
import org.fieldgate.acquire.scd30.Scd30;
import org.fieldgate.acquire.scd4x.Scd4x;
import org.fieldgate.acquire.sdi12.Sdi12Port;
import org.fieldgate.acquire.sdm.SdmEnergyMeter;
import org.fieldgate.acquire.sdp8xx.Sdp8xx;
import org.fieldgate.acquire.serial.JSerialCommLink;
import org.fieldgate.acquire.serial.SerialLink;
import org.fieldgate.acquire.teros12.Teros12;
import org.fieldgate.site.BusConfig;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.DriverSettings;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SensorModel;
import org.fieldgate.site.SiteConfig;

/**
 * The real drivers behind a site file's probes on a Raspberry Pi: one Pi4J context (made on first use, so a
 * gateway without I2C or GPIO probes, or a test machine, never loads Pi4J's native code), one serial link per
 * RS-485 or SDI-12 bus, one {@link ModbusRtuMaster} or {@link Sdi12Port} per such bus shared by its devices under
 * one lock, and per probe the driver its sensor model names, configured from the model's {@code defaults}, the
 * probe's address or pin and its {@code settings}. Every driver is wrapped in {@link ModelChannelsProbe}, so its
 * measurements carry the model's channel names and units.
 *
 * <p>On a Pi ({@link #raspberryPi()}): I2C through Pi4J's linuxfs provider ({@code /dev/i2c-N}), GPIO through the
 * gpiod providers (the {@code /dev/gpiochip} character device, no root; works on the Pi 5 too) and serial ports
 * through jSerialComm. The gateway's user needs the groups {@code i2c}, {@code gpio} and {@code dialout}.
 */
public final class HardwareProbeFactory implements ProbeFactory {

    /** Opens a serial device with its line settings (jSerialComm on a Pi, byte-exact fakes in tests). */
    @FunctionalInterface
    public interface SerialPorts {
        SerialLink open(String device, SerialLink.Settings settings) throws IOException;
    }

    /** Pi4J provider ids for I2C, GPIO inputs and GPIO outputs. */
    public record Providers(String i2c, String digitalInput, String digitalOutput) {
        /** linuxfs I2C and gpiod GPIO: neither needs root (pigpio does). */
        public static final Providers RASPBERRY_PI = new Providers(LinuxFsI2CProvider.ID,
                GpioDDigitalInputProvider.ID, GpioDDigitalOutputProvider.ID);
    }

    /** Model ids this factory has a driver for, in the order an error lists them. */
    static final List<String> MODELS = List.of("ads1115", "bme280", "gmp252", "gpio-pulse", "gpio-relay", "scd30",
            "scd41", "sdm120", "sdm630", "sdp810", "teros12");

    private static final Pattern I2C_DEVICE = Pattern.compile("/dev/i2c-(\\d{1,3})");
    private static final Duration GMP252_TIMEOUT = Gmp252.Config.defaults().responseTimeout();
    private static final Duration SDM_TIMEOUT = SdmEnergyMeter.Config.defaults(SdmEnergyMeter.Variant.SDM120)
            .responseTimeout();
    private static final Duration TEROS12_TIMEOUT = Teros12.Config.defaults().responseTimeout();
    /** A relay must not chatter: the driver's default least time between two lid movements. */
    private static final Duration RELAY_MIN_DWELL = RelayOutput.Config.defaults(0).minDwell();

    /** One opened serial bus: its link, its lock, and the protocol side its devices share. */
    private record SerialBus(String device, SerialLink link, ReentrantLock lock, ModbusRtuMaster modbus,
                             Sdi12Port sdi12) {
    }

    private final Supplier<Context> contextSupplier;
    private final Providers providers;
    private final SerialPorts serialPorts;
    private final BusClock clock;
    private final Map<String, SerialBus> serialBuses = new LinkedHashMap<>();
    private final List<RelayOutput> lidRelays = new ArrayList<>();
    private Context pi4j;
    private boolean closed;

    /**
     * @param pi4j        makes the Pi4J context on first use (tests: the mock platform with fake providers)
     * @param providers   the provider ids in that context
     * @param serialPorts opens serial devices
     * @param clock       the drivers' clock
     */
    public HardwareProbeFactory(Supplier<Context> pi4j, Providers providers, SerialPorts serialPorts, BusClock clock) {
        this.contextSupplier = pi4j;
        this.providers = providers;
        this.serialPorts = serialPorts;
        this.clock = clock;
    }

    /** The factory for a Raspberry Pi (Raspberry Pi OS 64-bit): linuxfs I2C, gpiod GPIO, jSerialComm serial. */
    public static HardwareProbeFactory raspberryPi() {
        return new HardwareProbeFactory(HardwareProbeFactory::raspberryPiContext, Providers.RASPBERRY_PI,
                JSerialCommLink::open, BusClock.SYSTEM);
    }

    /** Only the providers the gateway uses, so no other plugin's native library is loaded. */
    static Context raspberryPiContext() {
        return Pi4J.newContextBuilder()
                .add(LinuxFsI2CProvider.newInstance(), GpioDDigitalInputProvider.newInstance(),
                        GpioDDigitalOutputProvider.newInstance())
                .build();
    }

    @Override
    public synchronized Probe create(SiteConfig site, ProbeConfig probe) {
        if (closed) {
            throw new IllegalStateException("the probe factory is closed");
        }
        try {
            return new ModelChannelsProbe(driver(site, probe), probe.model());
        } catch (IllegalArgumentException e) {
            String prefix = where(probe);
            // a driver's own Config check names the value but not the probe
            throw e.getMessage() != null && e.getMessage().startsWith(prefix) ? e
                    : new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
        }
    }

    private Probe driver(SiteConfig site, ProbeConfig probe) {
        SensorModel model = probe.model();
        Settings s = new Settings(probe);
        Probe driver = switch (model.id()) {
            case "scd30" -> new Scd30(i2c(site, probe), new Scd30.Config(i2cAddress(probe),
                    s.integer("measurement-interval-s", Scd30.Config.defaults().intervalS()),
                    s.integer("ambient-pressure-mbar", 0), warmUp(model), s.integer("stuck-repeats", 10), ""), clock);
            case "scd41" -> new Scd4x(i2c(site, probe), new Scd4x.Config(i2cAddress(probe),
                    s.integer("ambient-pressure-pa", 0), warmUp(model), s.integer("stuck-repeats", 10), ""), clock);
            case "bme280" -> new Bme280(i2c(site, probe), new Bme280.Config(i2cAddress(probe),
                    oversampling(s, "oversampling-temperature"), oversampling(s, "oversampling-pressure"),
                    oversampling(s, "oversampling-humidity"), s.integer("filter", 0), s.integer("stuck-repeats", 10),
                    ""), clock);
            case "ads1115" -> ads1115(site, probe, s);
            case "sdp810" -> new Sdp8xx(i2c(site, probe), new Sdp8xx.Config(i2cAddress(probe),
                    Sdp8xx.Model.SDP810_500PA, 0,
                    s.text("compensation", "differential-pressure").equals("mass-flow")
                            ? Sdp8xx.Compensation.MASS_FLOW : Sdp8xx.Compensation.DIFFERENTIAL_PRESSURE,
                    s.bool("averaging", true), warmUp(model), s.integer("stuck-repeats", 0), ""), clock);
            case "gmp252" -> {
                SerialBus bus = modbus(site, probe);
                yield new BusLockedProbe(new Gmp252(bus.modbus(), new Gmp252.Config(slave(probe),
                        s.millis("response-timeout-ms", GMP252_TIMEOUT), warmUp(model),
                        s.integer("stuck-repeats", 10), ""), clock), bus.lock());
            }
            case "sdm120", "sdm630" -> {
                SdmEnergyMeter.Variant v = model.id().equals("sdm120") ? SdmEnergyMeter.Variant.SDM120
                        : SdmEnergyMeter.Variant.SDM630;
                SerialBus bus = modbus(site, probe);
                yield new BusLockedProbe(new SdmEnergyMeter(bus.modbus(), new SdmEnergyMeter.Config(v, slave(probe),
                        s.millis("response-timeout-ms", SDM_TIMEOUT), s.integer("stuck-repeats", 10), ""), clock),
                        bus.lock());
            }
            case "teros12" -> teros12(site, probe, s);
            case "gpio-pulse" -> pulseCounter(probe, s);
            case "gpio-relay" -> {
                RelayOutput.Config c = relayConfig(probe.pin(), s);
                yield relay(c, "probe " + probe.id() + " (model gpio-relay)");
            }
            default -> throw new IllegalArgumentException(where(probe) + ": model: no hardware driver for model '"
                    + model.id() + "' (drivers: " + String.join(", ", MODELS) + ")");
        };
        return driver;
    }

    /**
     * The lid relays of the site's chambers as the chamber sequencer's actuator; each relay starts released (lid
     * open). Null when the site has no chambers. The relays are released again by {@link #close()}.
     */
    public synchronized LidActuator lids(SiteConfig site) {
        if (closed) {
            throw new IllegalStateException("the probe factory is closed");
        }
        if (site.chambers() == null) {
            return null;
        }
        Map<String, RelayOutput> lids = new LinkedHashMap<>();
        for (ChamberConfig c : site.chambers().chambers()) {
            Map<String, String> defaults = c.relayModel() == null ? Map.of() : c.relayModel().settings();
            RelayOutput.Config config = new RelayOutput.Config(c.relayPin(),
                    Boolean.parseBoolean(defaults.getOrDefault("active-low", "true")), RELAY_MIN_DWELL,
                    seconds(defaults.getOrDefault("actuation-s", "5")), "");
            RelayOutput relay = relay(config, "chamber " + c.id() + " (relay-pin " + c.relayPin() + ")");
            lidRelays.add(relay);
            lids.put(c.id(), relay);
        }
        return new RelayLidActuator(lids);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (RelayOutput r : lidRelays) {
            r.close(); // released: a gateway that stops must not leave a chamber sealed
        }
        for (SerialBus b : serialBuses.values()) {
            b.link().close();
        }
        if (pi4j != null) {
            pi4j.shutdown();
        }
    }

    // ---- I2C ----

    private Context pi4j() {
        if (pi4j == null) {
            pi4j = contextSupplier.get();
        }
        return pi4j;
    }

    private I2C i2c(SiteConfig site, ProbeConfig probe) {
        BusConfig bus = bus(site, probe);
        Matcher m = I2C_DEVICE.matcher(bus.device() == null ? "" : bus.device());
        if (!m.matches()) {
            throw new IllegalArgumentException(where(probe) + ": buses." + bus.name() + ".device: value '"
                    + bus.device() + "': an I2C bus device /dev/i2c-N");
        }
        int address = i2cAddress(probe);
        try {
            return I2cLink.open(pi4j(), Integer.parseInt(m.group(1)), address, providers.i2c());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where(probe) + ": bus " + bus.name() + " (" + bus.device()
                    + "): cannot open address 0x" + Integer.toHexString(address) + ": " + e.getMessage(), e);
        }
    }

    private static int i2cAddress(ProbeConfig probe) {
        return Integer.decode(address(probe));
    }

    private Probe ads1115(SiteConfig site, ProbeConfig probe, Settings s) {
        int rate = s.integer("data-rate-sps", 128);
        List<Ads1115.Channel> channels = new ArrayList<>();
        // only the inputs the probe publishes: a floating, unused input is converted for nothing
        for (var c : probe.channels()) {
            String name = c.model().name();
            Ads1115.Input input;
            try {
                input = Ads1115.Input.valueOf(name.toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where(probe) + ": channels." + name
                        + ": not an ADS1115 input (ain0-ain3)", e);
            }
            Ads1115.Range range = Ads1115.Range.valueOf("FSR_" + s.text(name + "-range-v", "4.096").replace('.', '_'));
            channels.add(new Ads1115.Channel(name, input, range, rate, Ads1115.Kind.VOLTAGE, List.of(), 0, 0, 0, 0,
                    0, "V"));
        }
        if (channels.isEmpty()) {
            throw new IllegalArgumentException(where(probe) + ": channels: every input is disabled; enable one");
        }
        return new Ads1115(i2c(site, probe), channels, s.integer("stuck-repeats", 10), clock);
    }

    private static Bme280.Oversampling oversampling(Settings s, String key) {
        return Bme280.Oversampling.valueOf(s.text(key, "x1").toUpperCase());
    }

    // ---- serial buses ----

    private SerialBus modbus(SiteConfig site, ProbeConfig probe) {
        BusConfig bus = bus(site, probe);
        SerialBus open = serialBuses.get(bus.name());
        if (open != null) {
            return open;
        }
        SerialLink.Settings line = lineSettings(probe, bus);
        SerialLink link = openSerial(probe, bus, line);
        // one master per wire: it keeps the 3.5-character silence between all frames on it, whoever they are for
        Duration timeout = Duration.ZERO;
        Set<String> models = new LinkedHashSet<>();
        for (ProbeConfig p : probesOn(site, bus)) {
            Duration d = switch (p.model().id()) {
                case "gmp252" -> new Settings(p).millis("response-timeout-ms", GMP252_TIMEOUT);
                case "sdm120", "sdm630" -> new Settings(p).millis("response-timeout-ms", SDM_TIMEOUT);
                default -> Duration.ZERO;
            };
            timeout = d.compareTo(timeout) > 0 ? d : timeout;
            models.add(p.model().id().toUpperCase());
        }
        ModbusRtuMaster master = new ModbusRtuMaster(link, String.join("+", models), timeout, clock);
        SerialBus b = new SerialBus(bus.device(), link, new ReentrantLock(true), master, null);
        serialBuses.put(bus.name(), b);
        return b;
    }

    private Probe teros12(SiteConfig site, ProbeConfig probe, Settings s) {
        BusConfig bus = bus(site, probe);
        SerialBus b = serialBuses.get(bus.name());
        if (b == null) {
            Duration timeout = Duration.ZERO;
            for (ProbeConfig p : probesOn(site, bus)) {
                Duration d = new Settings(p).millis("response-timeout-ms", TEROS12_TIMEOUT);
                timeout = d.compareTo(timeout) > 0 ? d : timeout;
            }
            SerialLink link = openSerial(probe, bus, Sdi12Port.SERIAL);
            // the gateway makes the break itself (jSerialComm holds the tty in break)
            b = new SerialBus(bus.device(), link, new ReentrantLock(true), null,
                    new Sdi12Port(link, "TEROS12", true, timeout, clock));
            serialBuses.put(bus.name(), b);
        }
        SensorModel model = probe.model();
        SensorModel.Channel vwc = model.channel("vwc");
        SensorModel.Channel raw = model.channel("vwc_raw");
        if (vwc == null || raw == null) {
            throw new IllegalArgumentException(where(probe) + ": model " + model.id()
                    + " needs channels vwc and vwc_raw (the mineral-soil scaling and the plausible raw range)");
        }
        Teros12.Config config = new Teros12.Config(address(probe).charAt(0), s.bool("crc", true),
                new double[] {vwc.offset(), vwc.gain()}, raw.min(), raw.max(), s.integer("stuck-repeats", 10), true,
                s.millis("response-timeout-ms", TEROS12_TIMEOUT), "");
        return new BusLockedProbe(new Teros12(b.sdi12(), config, clock), b.lock());
    }

    private SerialLink openSerial(ProbeConfig probe, BusConfig bus, SerialLink.Settings line) {
        try {
            return serialPorts.open(bus.device(), line);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(where(probe) + ": bus " + bus.name() + " (" + bus.device() + ", "
                    + line + "): cannot open: " + e.getMessage(), e);
        }
    }

    private static SerialLink.Settings lineSettings(ProbeConfig probe, BusConfig bus) {
        Map<String, String> b = bus.settings();
        try {
            char parity = switch (b.getOrDefault("parity", "none")) {
                case "even" -> 'E';
                case "odd" -> 'O';
                default -> 'N';
            };
            return new SerialLink.Settings(Integer.parseInt(b.getOrDefault("baud", "9600")),
                    Integer.parseInt(b.getOrDefault("data-bits", "8")), parity,
                    Integer.parseInt(b.getOrDefault("stop-bits", "1")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(probe) + ": buses." + bus.name() + ": " + e.getMessage(), e);
        }
    }

    private static List<ProbeConfig> probesOn(SiteConfig site, BusConfig bus) {
        return site.probes().stream().filter(p -> bus.name().equals(p.bus())).toList();
    }

    private static int slave(ProbeConfig probe) {
        return Integer.parseInt(address(probe));
    }

    // ---- GPIO ----

    private Probe pulseCounter(ProbeConfig probe, Settings s) {
        SensorModel model = probe.model();
        SensorModel.Channel speed = model.channel("speed");
        SensorModel.Channel frequency = model.channel("frequency");
        if (speed == null || !"1/min".equals(speed.unit()) || frequency == null) {
            throw new IllegalArgumentException(where(probe) + ": model " + model.id()
                    + " needs channels frequency (Hz) and speed (1/min) for a tachometer");
        }
        double pulsesPerRevolution = s.number("pulses-per-revolution", 2);
        PullResistance pull = switch (s.text("pull", "up")) {
            case "down" -> PullResistance.PULL_DOWN;
            case "none" -> PullResistance.OFF;
            default -> PullResistance.PULL_UP;
        };
        PulseCounter.Config config = new PulseCounter.Config(probe.pin(),
                PulseCounter.Edge.valueOf(s.text("edge", "falling").toUpperCase()), pull,
                Duration.ofNanos(Math.round(s.number("debounce-ms", 1) * 1e6)), "speed", "1/min",
                60.0 / pulsesPerRevolution, s.number("max-hz", frequency.max()),
                s.integer("stuck-zero-intervals", 0), "");
        try {
            return new PulseCounter(PulseCounter.open(pi4j(), config, providers.digitalInput()), config, clock);
        } catch (RuntimeException e) {
            throw gpioFailure(where(probe) + ": pin " + probe.pin() + ": cannot open GPIO input", e);
        }
    }

    private static RelayOutput.Config relayConfig(Integer pin, Settings s) {
        return new RelayOutput.Config(pin, s.bool("active-low", true), seconds(s.text("min-dwell-s",
                Double.toString(RELAY_MIN_DWELL.toMillis() / 1000.0))), seconds(s.text("actuation-s", "5")), "");
    }

    private RelayOutput relay(RelayOutput.Config config, String what) {
        try {
            return new RelayOutput(RelayOutput.open(pi4j(), config, providers.digitalOutput()), config, clock);
        } catch (ProbeException | RuntimeException e) {
            throw gpioFailure(what + ": pin " + config.pin() + ": cannot drive the relay", e);
        }
    }

    static final String NO_GPIO_CHIP = "no usable GPIO chip: not a Raspberry Pi, no /dev/gpiochip*, or not in group gpio";

    /**
     * What opening a pin failed with. Pi4J says "provider ... could not be found" (its gpiod plugin did not load) or
     * "No gpio chip yet initialized!" on a board it does not recognise, which reads like a broken install: say what
     * it means, in one line without Pi4J's exception (its stack trace adds nothing).
     */
    private static IllegalArgumentException gpioFailure(String what, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof com.pi4j.provider.exception.ProviderNotFoundException
                    || t instanceof com.pi4j.provider.exception.ProviderInitializeException
                    || message.contains("No gpio chip")) {
                return new IllegalArgumentException(what + ": " + NO_GPIO_CHIP);
            }
        }
        return new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }

    // ---- helpers ----

    private static BusConfig bus(SiteConfig site, ProbeConfig probe) {
        BusConfig bus = probe.bus() == null ? null : site.buses().get(probe.bus());
        if (bus == null) {
            throw new IllegalArgumentException(where(probe) + ": bus: value '" + probe.bus()
                    + "': not a bus of site " + site.id());
        }
        return bus;
    }

    private static String address(ProbeConfig probe) {
        String a = probe.address() != null ? probe.address() : probe.model().defaultAddress();
        if (a == null) {
            throw new IllegalArgumentException(where(probe) + ": address: missing, and model " + probe.model().id()
                    + " has no default");
        }
        return a;
    }

    private static Duration warmUp(SensorModel model) {
        return Duration.ofNanos(Math.round(model.warmupS() * 1e9));
    }

    private static Duration seconds(String text) {
        return Duration.ofNanos(Math.round(Double.parseDouble(text) * 1e9));
    }

    static String where(ProbeConfig probe) {
        return "probe " + probe.id() + " (model " + probe.model().id() + ")";
    }

    /**
     * A probe's settings with its model's {@code defaults} behind them, each value checked again against
     * {@link DriverSettings} (a ProbeConfig may come from code, not only from the checker).
     */
    private static final class Settings {
        private final ProbeConfig probe;

        Settings(ProbeConfig probe) {
            this.probe = probe;
            for (Map.Entry<String, String> e : probe.settings().entrySet()) {
                DriverSettings.Setting s = DriverSettings.find(probe.model().id(), e.getKey());
                List<String> keys = DriverSettings.of(probe.model().id()).stream()
                        .map(DriverSettings.Setting::key).toList();
                if (s == null) {
                    throw new IllegalArgumentException(where(probe) + ": settings." + e.getKey() + ": value '"
                            + e.getValue() + "': not a setting of model " + probe.model().id() + " (settings: "
                            + (keys.isEmpty() ? "none" : String.join(", ", keys)) + ")");
                }
                if (!s.valid().test(e.getValue())) {
                    throw new IllegalArgumentException(where(probe) + ": settings." + e.getKey() + ": value '"
                            + e.getValue() + "': " + s.allowed());
                }
            }
        }

        String text(String key, String fallback) {
            String v = probe.settings().get(key);
            return v != null ? v : probe.model().settings().getOrDefault(key, fallback);
        }

        double number(String key, double fallback) {
            String v = text(key, null);
            Double d = v == null ? Double.valueOf(fallback) : DriverSettings.parseNumber(v);
            if (d == null) {
                throw new IllegalArgumentException(where(probe) + ": settings." + key + ": value '" + v
                        + "': a number");
            }
            return d;
        }

        int integer(String key, int fallback) {
            double d = number(key, fallback);
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException(where(probe) + ": settings." + key + ": value '" + text(key, "")
                        + "': a whole number");
            }
            return (int) d;
        }

        boolean bool(String key, boolean fallback) {
            return Boolean.parseBoolean(text(key, Boolean.toString(fallback)));
        }

        Duration millis(String key, Duration fallback) {
            return probe.settings().containsKey(key) ? Duration.ofMillis(integer(key, 0)) : fallback;
        }
    }
}
