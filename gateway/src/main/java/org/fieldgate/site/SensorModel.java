package org.fieldgate.site;

import java.util.List;
import java.util.Map;

/**
 * One sensor model from {@code firmware-config/models/<id>.yaml}: how to talk to it and how its raw values become
 * readings.
 *
 * @param id             file name without {@code .yaml}, used by site files ({@code model: gmp252})
 * @param iface          the bus or pin it sits on
 * @param datasheet      the document the register map, scaling and ranges were taken from
 * @param warmupS        seconds from power-on until readings meet the datasheet's accuracy
 * @param minIntervalS   shortest sampling interval the sensor supports
 * @param defaultAddress canonical default address ({@link #canonicalAddress}); null for GPIO models
 * @param settings       interface defaults (baud, parity, pulses-per-revolution, active-low ...) as written
 * @param accuracies     datasheet accuracy per channel name, for the channels that state one (docs/science.md §7.5)
 */
public record SensorModel(String id, String name, String manufacturer, Interface iface, String datasheet,
                          double warmupS, double minIntervalS, String defaultAddress, Map<String, String> settings,
                          Map<String, Register> registers, Map<String, Command> commands, List<Channel> channels,
                          String file, Map<String, Accuracy> accuracies) {

    public SensorModel {
        accuracies = accuracies == null ? Map.of() : Map.copyOf(accuracies);
    }

    /** A model without stated accuracies. */
    public SensorModel(String id, String name, String manufacturer, Interface iface, String datasheet, double warmupS,
                       double minIntervalS, String defaultAddress, Map<String, String> settings,
                       Map<String, Register> registers, Map<String, Command> commands, List<Channel> channels,
                       String file) {
        this(id, name, manufacturer, iface, datasheet, warmupS, minIntervalS, defaultAddress, settings, registers,
                commands, channels, file, Map.of());
    }

    /** The datasheet accuracy of a channel (docs/science.md §7.5), or null when the model does not state one. */
    public Accuracy accuracy(String channel) {
        return accuracies.get(channel);
    }

    /** The bus or pin kind a model sits on; a site's bus of the same {@link #busType} carries it. */
    public enum Interface {
        I2C("i2c"), MODBUS_RTU("modbus-rtu"), SDI12("sdi12"), GPIO_PULSE("gpio-pulse"), GPIO_RELAY("gpio-relay"),
        /** An RS-232 or USB serial port with one instrument speaking its own protocol (no bus address). */
        SERIAL("serial"),
        /**
         * An instrument on the network that the gateway reaches over TCP (e.g. the MQTT broker of an LI-COR trace gas
         * analyser): no bus, no pin; the probe's {@code address} is {@code host} or {@code host:port}.
         */
        TCP("tcp");

        public final String yaml;

        Interface(String yaml) {
            this.yaml = yaml;
        }

        /** The site bus type, or null for models wired to a GPIO pin or reached over the network. */
        public String busType() {
            return switch (this) {
                case I2C -> "i2c";
                case MODBUS_RTU -> "modbus-rtu";
                case SDI12 -> "sdi12";
                case SERIAL -> "serial";
                default -> null;
            };
        }

        public boolean gpio() {
            return this == GPIO_PULSE || this == GPIO_RELAY;
        }

        public static Interface of(String yaml) {
            for (Interface i : values()) {
                if (i.yaml.equals(yaml)) {
                    return i;
                }
            }
            return null;
        }
    }

    /** A register: I2C register address or Modbus register (0-based PDU address) with its data type. */
    public record Register(String name, int address, String type, String function, String access, String description) {
    }

    /** A command: I2C command word, SDI-12 command text (a = the sensor's address) or GPIO action. */
    public record Command(String name, String code, Double waitMs, List<String> response, String description) {
    }

    /**
     * One published channel. Scaled value = offset + gain x raw (or the named formula, applied by the driver).
     *
     * @param source register or command the raw value comes from
     * @param index  position of the value in the command's response (0-based), when it returns several
     */
    public record Channel(String name, String unit, String source, int index, double gain, double offset,
                          String formula, double min, double max, String description) {
        public double scale(double raw) {
            return offset + gain * raw;
        }

        public boolean inRange(double value) {
            return value >= min && value <= max;
        }
    }

    public Channel channel(String name) {
        for (Channel c : channels) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Canonical text of an address so that 0x61 and 97 compare equal: I2C hex, Modbus decimal, SDI-12 the character. */
    static String canonicalAddress(Interface iface, Object value) {
        if (value instanceof Long l) {
            return iface == Interface.I2C ? String.format("0x%02x", l) : Long.toString(l);
        }
        return String.valueOf(value);
    }
}
