package org.fieldgate.acquire.gmp252;

import org.fieldgate.acquire.BusClock;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.StuckDetector;
import org.fieldgate.acquire.chip.DriverChannel;
import org.fieldgate.acquire.modbus.ModbusRtuMaster;
import org.fieldgate.acquire.serial.SerialLink;
import org.fieldgate.acquire.serial.SerialProbe;

import java.time.Duration;
import java.util.List;

/**
 * Vaisala GMP252 CARBOCAP CO2 probe over Modbus RTU (RS-485).
 *
 * <p>Manual: Vaisala "GMP252 User Guide", M211897EN-D, appendix A "Modbus reference": A.1 default
 * communication settings (address 240, 19200 baud, 8 data bits, no parity, 2 stop bits), A.3 data encoding
 * (32-bit floats as two registers, least significant word first), table 52 measurement data registers
 * (function 03), table 54 status registers. Measurement specifications from section 9.1 (0-10 000 ppm specified,
 * readings to 30 000 ppm indicative; operating temperature -40-60 °C; full accuracy 2 min after power-up).
 *
 * <p>Each sample reads the measurement block (CO2, compensation T, measured T as float32) and the two status
 * registers, both with function 03. Device status "critical error" fails the sample; "error" and "warning"
 * and CO2 status "not reliable" flag the values {@link QcFlags#STATUS_WARNING}; CO2 status "not yet available"
 * fails the sample (there is no value to keep).
 */
public final class Gmp252 extends SerialProbe {
    public static final int DEFAULT_SLAVE = 240;
    public static final SerialLink.Settings DEFAULT_SERIAL = new SerialLink.Settings(19200, 8, 'N', 2);
    /** Operational after 12 s, full specification 2 min after power-up. */
    public static final Duration WARM_UP = Duration.ofSeconds(120);
    /** 0-10 000 ppm specified, to 30 000 ppm indicative. */
    public static final DriverChannel CO2 = new DriverChannel("co2", "ppm", 0, 30_000);
    public static final DriverChannel TEMP = new DriverChannel("temp", "Cel", -40, 60);

    // table 52: measurement data (read-only holding registers, 0-based PDU addresses)
    static final int REG_CO2_FLOAT = 0x0000;     // register 1-2, ppm
    static final int REG_COMP_T_FLOAT = 0x0002;  // register 3-4, compensation temperature, °C
    static final int REG_T_FLOAT = 0x0004;       // register 5-6, measured temperature, °C
    static final int MEASUREMENT_REGISTERS = 6;
    // table 54: status registers
    static final int REG_DEVICE_STATUS = 0x0800; // register 2049
    static final int REG_CO2_STATUS = 0x0801;    // register 2050
    static final int STATUS_REGISTERS = 2;

    // device status values
    static final int DEVICE_OK = 0;
    static final int DEVICE_CRITICAL = 1;        // critical error, maintenance needed
    static final int DEVICE_ERROR = 2;           // error, device may recover automatically
    static final int DEVICE_WARNING = 4;
    static final int DEVICE_NOTIFICATION = 8;
    static final int DEVICE_CALIBRATION_ENABLED = 16;
    // CO2 status values
    static final int CO2_OK = 0;
    static final int CO2_NOT_RELIABLE = 2;
    static final int CO2_NOT_READY = 256;

    /**
     * @param slave           Modbus address, 1-247 (factory 240)
     * @param responseTimeout how long to wait for an answer
     * @param warmUp          values this soon after (re)initialisation are flagged WARMING_UP (manual: 2 min)
     * @param stuckRepeats    identical CO2 float bits in a row that count as stuck, 0 = off
     */
    public record Config(int slave, Duration responseTimeout, Duration warmUp, int stuckRepeats) {
        public Config {
            if (slave < 1 || slave > 247) {
                throw new IllegalArgumentException("GMP252 slave must be 1-247, not " + slave);
            }
        }

        public static Config defaults() {
            return new Config(DEFAULT_SLAVE, Duration.ofMillis(500), WARM_UP, 10);
        }
    }

    private final Config config;
    private final ModbusRtuMaster modbus;
    private final StuckDetector stuck;

    public Gmp252(SerialLink link, Config config, BusClock clock) {
        this(new ModbusRtuMaster(link, "GMP252", config.responseTimeout(), clock), config, clock);
    }

    /** Several probes on one RS-485 bus share one master. */
    public Gmp252(ModbusRtuMaster modbus, Config config, BusClock clock) {
        super("GMP252", modbus.address(config.slave()), modbus, clock, config.warmUp());
        this.modbus = modbus;
        this.config = config;
        this.stuck = new StuckDetector(config.stuckRepeats());
    }

    @Override
    protected void initialise() throws ProbeException {
        // presence check: the status registers answer even while the probe warms up
        readStatus();
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        int[] m = modbus.readRegisters(config.slave(), ModbusRtuMaster.READ_HOLDING_REGISTERS, REG_CO2_FLOAT,
                MEASUREMENT_REGISTERS);
        int qc = readStatus();
        int co2Bits = m[1] << 16 | m[0];
        int tBits = m[5] << 16 | m[4];
        double co2 = ModbusRtuMaster.floatLowWordFirst(m, REG_CO2_FLOAT);
        double t = ModbusRtuMaster.floatLowWordFirst(m, REG_T_FLOAT);
        if (!Double.isFinite(co2) || !Double.isFinite(t)) {
            throw badResponse(String.format("non-finite float: CO2 %08x, T %08x", co2Bits, tBits));
        }
        return List.of(
                new Measurement(CO2.name(), CO2.unit(), co2,
                        qc | range(co2, CO2.min(), CO2.max()) | stuck.check("co2", co2Bits)),
                new Measurement(TEMP.name(), TEMP.unit(), t, qc | range(t, TEMP.min(), TEMP.max())));
    }

    /** Reads table 54; returns the QC bits the status implies, or throws when there is no usable value. */
    private int readStatus() throws ProbeException {
        int[] s = modbus.readRegisters(config.slave(), ModbusRtuMaster.READ_HOLDING_REGISTERS, REG_DEVICE_STATUS,
                STATUS_REGISTERS);
        int device = s[0];
        int co2 = s[1];
        if ((device & DEVICE_CRITICAL) != 0) {
            throw badResponse("device status " + device + ": critical error, maintenance needed");
        }
        if ((co2 & CO2_NOT_READY) != 0) {
            throw badResponse("CO2 status " + co2 + ": reading not yet available");
        }
        int qc = 0;
        if ((device & (DEVICE_ERROR | DEVICE_WARNING)) != 0 || (co2 & CO2_NOT_RELIABLE) != 0 || co2 != CO2_OK) {
            qc |= QcFlags.STATUS_WARNING;
        }
        return qc;
    }

    /** QC bits this driver sets, for its README and tests. */
    public static final int QC_BITS = QcFlags.STATUS_WARNING | QcFlags.OUT_OF_RANGE | QcFlags.STUCK_VALUE
            | QcFlags.CRC_RETRIED | QcFlags.WARMING_UP | QcFlags.REINITIALISED;
}
