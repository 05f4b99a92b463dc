package org.fieldgate.acquire.hardware;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2C;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import com.pi4j.provider.exception.ProviderInitializeException;
import com.pi4j.provider.exception.ProviderNotFoundException;
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
import org.fieldgate.acquire.chamber.LidActuator;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ChipRegistrations;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.acquire.gpio.RelayLidActuator;
import org.fieldgate.acquire.gpio.RelayOutput;
import org.fieldgate.acquire.modbus.ModbusRtuMaster;
import org.fieldgate.acquire.sdi12.Sdi12Port;
import org.fieldgate.acquire.serial.JSerialCommLink;
import org.fieldgate.acquire.serial.SerialLink;
import org.fieldgate.site.BusConfig;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;

/**
 * The real drivers behind a site file's probes on a Raspberry Pi: one Pi4J context (made on first use, so a
 * gateway without I2C or GPIO probes, or a test machine, never loads Pi4J's native code), one serial link per
 * RS-485 or SDI-12 bus, one {@link ModbusRtuMaster} or {@link Sdi12Port} per such bus shared by its devices under
 * one lock, and per probe the driver its sensor model's {@link ChipRegistration} builds from the probe's address
 * or pin and its settings. No chip is named here: the registrations are found with {@link ChipRegistrations}.
 * A driver on a serial bus is wrapped in {@link BusLockedProbe}, every driver in {@link ModelChannelsProbe}, so its
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

    private static final Pattern I2C_DEVICE = Pattern.compile("/dev/i2c-(\\d{1,3})");

    /** One opened serial bus: its link, its lock, and the protocol side its devices share. */
    private record SerialBus(String device, SerialLink link, ReentrantLock lock, ModbusRtuMaster modbus,
                             Sdi12Port sdi12) {
    }

    private final ChipRegistrations chips;
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
        this.chips = ChipRegistrations.installed();
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
        ChipRegistration chip = chips.find(probe.model().id());
        if (chip == null) {
            throw new IllegalArgumentException(where(probe) + ": model: no hardware driver for model '"
                    + probe.model().id() + "' (drivers: " + String.join(", ", chips.models()) + ")");
        }
        Lent lent = new Lent(site, probe, new ProbeSettings(probe));
        Probe driver;
        try {
            driver = chip.build(lent);
        } catch (ProbeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return lent.serialBus == null ? driver : new BusLockedProbe(driver, lent.serialBus.lock());
    }

    /** What a registration gets to build one probe: its settings and its bus, opened here. */
    private final class Lent implements ChipContext {
        private final SiteConfig site;
        private final ProbeConfig probe;
        private final ProbeSettings settings;
        private SerialBus serialBus;

        Lent(SiteConfig site, ProbeConfig probe, ProbeSettings settings) {
            this.site = site;
            this.probe = probe;
            this.settings = settings;
        }

        @Override
        public ProbeConfig probe() {
            return probe;
        }

        @Override
        public ProbeSettings settings() {
            return settings;
        }

        @Override
        public BusClock clock() {
            return clock;
        }

        @Override
        public I2C i2c() {
            return HardwareProbeFactory.this.i2c(site, probe, i2cAddress());
        }

        @Override
        public ModbusRtuMaster modbus() {
            serialBus = serialBus(site, probe, false);
            return serialBus.modbus();
        }

        @Override
        public Sdi12Port sdi12() {
            serialBus = serialBus(site, probe, true);
            return serialBus.sdi12();
        }

        @Override
        public SerialLink serialLink() {
            serialBus = rawSerialBus(site, probe);
            return serialBus.link();
        }

        @Override
        public <T> T gpioInput(String failure, PinOpener<T> open) {
            return pin(failure, open, providers.digitalInput());
        }

        @Override
        public <T> T gpioOutput(String failure, PinOpener<T> open) {
            return pin(failure, open, providers.digitalOutput());
        }
    }

    private <T> T pin(String failure, ChipContext.PinOpener<T> open, String providerId) {
        try {
            return open.open(pi4j(), providerId);
        } catch (ProbeException | RuntimeException e) {
            throw gpioFailure(failure, e);
        }
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
            // the relay model's defaults, else the driver's; a relay must not chatter: the driver's least dwell
            Map<String, String> defaults = c.relayModel() == null ? Map.of() : c.relayModel().settings();
            RelayOutput.Config driver = RelayOutput.Config.defaults(c.relayPin());
            RelayOutput.Config config = new RelayOutput.Config(c.relayPin(),
                    Boolean.parseBoolean(defaults.getOrDefault("active-low", Boolean.toString(driver.activeLow()))),
                    driver.minDwell(), defaults.containsKey("actuation-s") ? seconds(defaults.get("actuation-s"))
                    : driver.actuation());
            RelayOutput relay = pin("chamber " + c.id() + " (relay-pin " + c.relayPin() + "): pin " + c.relayPin()
                    + ": cannot drive the relay", (pi4j, provider) -> new RelayOutput(RelayOutput.open(pi4j, config,
                    provider), config, clock), providers.digitalOutput());
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

    private I2C i2c(SiteConfig site, ProbeConfig probe, int address) {
        BusConfig bus = bus(site, probe);
        Matcher m = I2C_DEVICE.matcher(bus.device() == null ? "" : bus.device());
        if (!m.matches()) {
            throw new IllegalArgumentException(where(probe) + ": buses." + bus.name() + ".device: value '"
                    + bus.device() + "': an I2C bus device /dev/i2c-N");
        }
        try {
            return I2cLink.open(pi4j(), Integer.parseInt(m.group(1)), address, providers.i2c());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where(probe) + ": bus " + bus.name() + " (" + bus.device()
                    + "): cannot open address 0x" + Integer.toHexString(address) + ": " + e.getMessage(), e);
        }
    }

    // ---- serial buses ----

    /**
     * The probe's serial bus, opened by the first probe on it: one link and one protocol side per wire, so the
     * Modbus master keeps the 3.5-character silence between all frames on it and an SDI-12 break never cuts into
     * another sensor's answer. The master waits for the longest response time of the bus's probes.
     */
    private SerialBus serialBus(SiteConfig site, ProbeConfig probe, boolean sdi12) {
        BusConfig bus = bus(site, probe);
        SerialBus open = serialBuses.get(bus.name());
        if (open != null) {
            if ((open.sdi12() != null) != sdi12) {
                throw new IllegalArgumentException(where(probe) + ": bus " + bus.name() + " is already open as "
                        + (sdi12 ? "a Modbus RTU" : "an SDI-12") + " bus");
            }
            return open;
        }
        SerialLink.Settings line = sdi12 ? Sdi12Port.SERIAL : lineSettings(probe, bus);
        Duration timeout = Duration.ZERO;
        Set<String> models = new LinkedHashSet<>();
        for (ProbeConfig p : probesOn(site, bus)) {
            ChipRegistration chip = chips.find(p.model().id());
            Duration d = chip == null ? Duration.ZERO : chip.responseTimeout(new ProbeSettings(p));
            timeout = d.compareTo(timeout) > 0 ? d : timeout;
            models.add(p.model().id().toUpperCase());
        }
        SerialLink link = openSerial(probe, bus, line);
        String name = String.join("+", models);
        SerialBus b = sdi12
                // the gateway makes the break itself (jSerialComm holds the tty in break)
                ? new SerialBus(bus.device(), link, new ReentrantLock(true), null,
                        new Sdi12Port(link, name, true, timeout, clock))
                : new SerialBus(bus.device(), link, new ReentrantLock(true),
                        new ModbusRtuMaster(link, name, timeout, clock), null);
        serialBuses.put(bus.name(), b);
        return b;
    }

    /** A {@code serial} bus: one instrument, its own protocol on the bare link. */
    private SerialBus rawSerialBus(SiteConfig site, ProbeConfig probe) {
        BusConfig bus = bus(site, probe);
        SerialBus open = serialBuses.get(bus.name());
        if (open != null) {
            throw new IllegalArgumentException(where(probe) + ": bus " + bus.name() + " is already open for another"
                    + " probe; a serial bus carries one instrument");
        }
        SerialBus b = new SerialBus(bus.device(), openSerial(probe, bus, lineSettings(probe, bus)),
                new ReentrantLock(true), null, null);
        serialBuses.put(bus.name(), b);
        return b;
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

    // ---- GPIO ----

    static final String NO_GPIO_CHIP = "no usable GPIO chip: not a Raspberry Pi, no /dev/gpiochip*, or not in group gpio";

    /**
     * What opening a pin failed with. Pi4J says "provider ... could not be found" (its gpiod plugin did not load) or
     * "No gpio chip yet initialized!" on a board it does not recognise, which reads like a broken install: say what
     * it means, in one line without Pi4J's exception (its stack trace adds nothing).
     */
    private static IllegalArgumentException gpioFailure(String what, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof ProviderNotFoundException || t instanceof ProviderInitializeException
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

    private static Duration seconds(String text) {
        return Duration.ofNanos(Math.round(Double.parseDouble(text) * 1e9));
    }

    private static String where(ProbeConfig probe) {
        return ProbeSettings.where(probe);
    }
}
