package org.fieldgate.acquire.sdm;

import org.fieldgate.acquire.BusClock;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.StuckDetector;
import org.fieldgate.acquire.modbus.ModbusRtuMaster;
import org.fieldgate.acquire.serial.SerialLink;
import org.fieldgate.acquire.serial.SerialProbe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Eastron SDM-series energy meter (fan power of a mineralisation house or chamber) over Modbus RTU.
 *
 * <p>Manuals: Eastron "SDM120-Modbus Smart Meter Modbus Protocol Implementation V2.1", input register table;
 * Eastron "SDM630 Modbus Protocol V1.8" (2017), input register table. Both: function 04 read input registers,
 * every parameter an IEEE-754 float32 in two registers, high word first; factory address 1, 8N1, 2400 baud
 * (SDM120) or 9600 baud (SDM630). Addresses below are 0-based PDU addresses (the tables' "30013" is 0x000C).
 *
 * <p>Each sample reads active power (W) and total import active energy (kWh), plus voltage on the SDM120.
 * Energy is a meter reading: it must never fall, a fall is flagged {@link QcFlags#OUT_OF_RANGE}. Power of
 * exactly 0 W is a fan that is off, not a frozen meter, so only non-zero power counts towards
 * {@link QcFlags#STUCK_VALUE}.
 */
public final class SdmEnergyMeter extends SerialProbe {

    /** One parameter of the input register table. */
    public record Parameter(String channel, String unit, int register, double min, double max) {
    }

    /** The meter variants and what the gateway reads from each. */
    public enum Variant {
        // SDM120 V2.1 input registers: 30001 voltage, 30013 active power, 30073 import active energy
        SDM120("SDM120", new SerialLink.Settings(2400, 8, 'N', 1), List.of(
                new Parameter("power", "W", 0x000C, -23_000, 23_000),
                new Parameter("energy_import", "kWh", 0x0048, 0, 9_999_999),
                new Parameter("voltage", "V", 0x0000, 0, 300))),
        // SDM630 V1.8 input registers: 30053 total system power, 30073 total import kWh
        SDM630("SDM630", new SerialLink.Settings(9600, 8, 'N', 1), List.of(
                new Parameter("power", "W", 0x0034, -300_000, 300_000),
                new Parameter("energy_import", "kWh", 0x0048, 0, 9_999_999)));

        public final String model;
        public final SerialLink.Settings defaultSerial;
        public final List<Parameter> parameters;

        Variant(String model, SerialLink.Settings defaultSerial, List<Parameter> parameters) {
            this.model = model;
            this.defaultSerial = defaultSerial;
            this.parameters = parameters;
        }
    }

    public static final int DEFAULT_SLAVE = 1;

    /**
     * @param variant         SDM120 or SDM630
     * @param slave           Modbus address, 1-247 (factory 1)
     * @param responseTimeout how long to wait for an answer (the meters answer within about 100 ms)
     * @param stuckRepeats    identical non-zero power float bits in a row that count as stuck, 0 = off
     */
    public record Config(Variant variant, int slave, Duration responseTimeout, int stuckRepeats) {
        public Config {
            if (slave < 1 || slave > 247) {
                throw new IllegalArgumentException(variant + " slave must be 1-247, not " + slave);
            }
        }

        public static Config defaults(Variant variant) {
            return new Config(variant, DEFAULT_SLAVE, Duration.ofMillis(1000), 10);
        }
    }

    private final Config config;
    private final ModbusRtuMaster modbus;
    private final StuckDetector stuck;
    private double lastEnergy = Double.NaN;

    public SdmEnergyMeter(SerialLink link, Config config, BusClock clock) {
        this(new ModbusRtuMaster(link, config.variant().model, config.responseTimeout(), clock), config, clock);
    }

    public SdmEnergyMeter(ModbusRtuMaster modbus, Config config, BusClock clock) {
        super(config.variant().model, modbus.address(config.slave()), modbus, clock, Duration.ZERO);
        this.modbus = modbus;
        this.config = config;
        this.stuck = new StuckDetector(config.stuckRepeats());
    }

    @Override
    protected void initialise() throws ProbeException {
        // no set-up: the meter measures all the time; the first read is the presence check
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        List<Measurement> out = new ArrayList<>();
        for (Parameter p : config.variant().parameters) {
            int[] r = modbus.readRegisters(config.slave(), ModbusRtuMaster.READ_INPUT_REGISTERS, p.register(), 2);
            int bits = r[0] << 16 | r[1];
            double v = Float.intBitsToFloat(bits);
            if (!Double.isFinite(v)) {
                throw badResponse(String.format("%s register 0x%04x is not a finite float: %08x", p.channel(),
                        p.register(), bits));
            }
            int qc = range(v, p.min(), p.max());
            if (p.channel().equals("power") && bits != 0 && bits != 0x80000000) {
                qc |= stuck.check("power", bits);
            } else if (p.channel().equals("power")) {
                stuck.check("power", bits); // a zero breaks a run of repeats
            }
            if (p.channel().equals("energy_import")) {
                if (v < lastEnergy) {
                    qc |= QcFlags.OUT_OF_RANGE; // a meter reading that ran backwards
                }
                lastEnergy = v;
            }
            out.add(new Measurement(p.channel(), p.unit(), v, qc));
        }
        return out;
    }

    /** QC bits this driver sets, for its README and tests. */
    public static final int QC_BITS = QcFlags.OUT_OF_RANGE | QcFlags.STUCK_VALUE | QcFlags.CRC_RETRIED
            | QcFlags.REINITIALISED;
}
