package org.fieldgate.acquire.bme280;

import com.pi4j.io.i2c.I2C;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.I2cLink;
import org.fieldgate.acquire.I2cProbe;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.StuckDetector;
import org.fieldgate.acquire.chip.DriverChannel;

import java.time.Duration;
import java.util.List;

/**
 * Bosch Sensortec BME280 temperature, pressure and humidity sensor, over I2C, in forced mode (one measurement
 * per sample, asleep in between: no self-heating of a soil-chamber sensor).
 *
 * <p>Datasheet: "BME280 Combined humidity and pressure sensor", BST-BME280-DS002: section 3.3 forced mode,
 * section 4.2.2 trimming parameter readout (0x88-0xA1, 0xE1-0xE7), section 4.2.3 the 32/64-bit integer
 * compensation formulas (used here verbatim; section 8.1 has them in floating point), section 5.3 memory map and 5.4 register description
 * (id 0xD0 = 0x60, reset 0xE0 = 0xB6, ctrl_hum 0xF2, status 0xF3, ctrl_meas 0xF4, config 0xF5, data 0xF7-0xFE),
 * section 6.2 I2C (writes are register/value pairs, reads auto-increment), section 9.1 measurement time.
 *
 * <p>The chip has no CRC: the chip id, the trimming sanity and the "measurement skipped" pattern (0x80000) are
 * the checks; the data registers are burst-read in one transaction as section 4 asks, so T, P and H belong
 * to the same measurement.
 */
public final class Bme280 extends I2cProbe {
    public static final int ADDRESS_SDO_LOW = 0x76;
    public static final int ADDRESS_SDO_HIGH = 0x77;

    // section 1 (operating range); pressure as the compensation formula gives it, in Pa
    public static final DriverChannel TEMP = new DriverChannel("temp", "Cel", -40, 85);
    public static final DriverChannel PRESSURE = new DriverChannel("pressure", "Pa", 30_000, 110_000);
    public static final DriverChannel RH = new DriverChannel("rh", "%RH", 0, 100);

    // section 5.3: memory map
    static final int REG_CALIB_00 = 0x88;   // 0x88-0xA1: dig_T1..dig_P9, 0xA1 dig_H1
    static final int REG_ID = 0xD0;
    static final int REG_RESET = 0xE0;
    static final int REG_CALIB_26 = 0xE1;   // 0xE1-0xE7: dig_H2..dig_H6
    static final int REG_CTRL_HUM = 0xF2;
    static final int REG_STATUS = 0xF3;
    static final int REG_CTRL_MEAS = 0xF4;
    static final int REG_CONFIG = 0xF5;
    static final int REG_PRESS_MSB = 0xF7;  // 0xF7-0xFE: press[19:0], temp[19:0], hum[15:0]

    static final int CHIP_ID = 0x60;
    static final int RESET_WORD = 0xB6;
    static final int STATUS_MEASURING = 1 << 3;
    static final int STATUS_IM_UPDATE = 1;
    static final int MODE_FORCED = 0b01;
    static final int SKIPPED_20BIT = 0x80000;

    /** Oversampling settings of section 5.4.3/5.4.5 (osrs_x field values). */
    public enum Oversampling {
        SKIP(0, 0), X1(1, 1), X2(2, 2), X4(3, 4), X8(4, 8), X16(5, 16);
        final int field;
        final int factor;

        Oversampling(int field, int factor) {
            this.field = field;
            this.factor = factor;
        }
    }

    /**
     * @param address        0x76 (SDO to GND) or 0x77 (SDO to VDDIO)
     * @param temperature    oversampling of temperature (must not be skipped: P and H need t_fine)
     * @param pressure       oversampling of pressure
     * @param humidity       oversampling of humidity
     * @param filterCoeff    IIR filter field 0-4 (off, 2, 4, 8, 16); forced mode sees only one sample per
     *                       filter step, so usually 0
     * @param stuckRepeats   identical raw frames in a row that count as stuck, 0 = off
     */
    public record Config(int address, Oversampling temperature, Oversampling pressure, Oversampling humidity,
                         int filterCoeff, int stuckRepeats) {
        public Config {
            if (address != ADDRESS_SDO_LOW && address != ADDRESS_SDO_HIGH) {
                throw new IllegalArgumentException("BME280 address must be 0x76 or 0x77, not 0x"
                        + Integer.toHexString(address));
            }
            if (temperature == Oversampling.SKIP) {
                throw new IllegalArgumentException("BME280 temperature oversampling cannot be skip");
            }
            if (filterCoeff < 0 || filterCoeff > 4) {
                throw new IllegalArgumentException("BME280 filter must be 0-4, not " + filterCoeff);
            }
        }

        public static Config defaults() {
            return new Config(ADDRESS_SDO_LOW, Oversampling.X1, Oversampling.X1, Oversampling.X1, 0, 10);
        }
    }

    private final Config config;
    private final StuckDetector stuck;
    private Trimming trim;

    public Bme280(I2C i2c, Config config, BusClock clock) {
        super(new I2cLink(i2c, "BME280"), clock, Duration.ZERO);
        this.config = config;
        this.stuck = new StuckDetector(config.stuckRepeats());
    }

    public Bme280(I2C i2c, Config config) {
        this(i2c, config, BusClock.SYSTEM);
    }

    @Override
    protected void initialise() throws ProbeException {
        int id = link.readRegister(REG_ID, 1)[0] & 0xFF;
        if (id != CHIP_ID) {
            // 0x56-0x58 is a BMP280 (no humidity), 0x61 a BME680: a wrong part on the board, not a bus glitch
            throw badResponse(String.format("chip id 0x%02x, expected 0x%02x", id, CHIP_ID));
        }
        link.write((byte) REG_RESET, (byte) RESET_WORD);
        sleepMs(clock, 2); // start-up time, table 1
        waitWhile(REG_STATUS, STATUS_IM_UPDATE, 10, "NVM copy after reset");
        trim = Trimming.parse(link.readRegister(REG_CALIB_00, 26), link.readRegister(REG_CALIB_26, 7));
        if (trim.digT1() == 0 || trim.digP1() == 0) {
            throw badResponse("trimming parameters read as zero (dig_T1=" + trim.digT1() + ", dig_P1="
                    + trim.digP1() + ")");
        }
        // section 5.4: config only takes in sleep mode; ctrl_hum takes effect with the next ctrl_meas write.
        // Section 6.2.1: a multi-register write is register/value pairs, there is no auto-increment on write.
        link.write((byte) REG_CONFIG, (byte) (config.filterCoeff() << 2),
                (byte) REG_CTRL_HUM, (byte) config.humidity().field,
                (byte) REG_CTRL_MEAS, (byte) ctrlMeas(0));
    }

    private int ctrlMeas(int mode) {
        return config.temperature().field << 5 | config.pressure().field << 2 | mode;
    }

    /** Section 9.1: maximum measurement time in ms. */
    double maxMeasurementMs() {
        return 1.25 + 2.3 * config.temperature().factor
                + (config.pressure().factor == 0 ? 0 : 2.3 * config.pressure().factor + 0.575)
                + (config.humidity().factor == 0 ? 0 : 2.3 * config.humidity().factor + 0.575);
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        // a brown-out the bus never saw leaves ctrl_hum at 0: humidity would be "skipped" and read 0x8000, which
        // compensates to a plausible-looking value. Check the settings are still ours before measuring.
        byte[] ctrl = link.readRegister(REG_CTRL_HUM, 4); // ctrl_hum, status, ctrl_meas, config
        int expectedConfig = config.filterCoeff() << 2;
        if ((ctrl[0] & 0x07) != config.humidity().field || (ctrl[2] & 0xFC) != (ctrlMeas(0) & 0xFC)
                || (ctrl[3] & 0xFD) != expectedConfig) {
            throw badResponse(String.format("settings lost (ctrl_hum 0x%02x, ctrl_meas 0x%02x, config 0x%02x):"
                    + " the chip was reset", ctrl[0] & 0xFF, ctrl[2] & 0xFF, ctrl[3] & 0xFF));
        }
        link.write((byte) REG_CTRL_MEAS, (byte) ctrlMeas(MODE_FORCED));
        sleepMs(clock, maxMeasurementMs());
        waitWhile(REG_STATUS, STATUS_MEASURING, 10, "measurement");
        byte[] d = link.readRegister(REG_PRESS_MSB, 8);
        int adcP = (d[0] & 0xFF) << 12 | (d[1] & 0xFF) << 4 | (d[2] & 0xFF) >> 4;
        int adcT = (d[3] & 0xFF) << 12 | (d[4] & 0xFF) << 4 | (d[5] & 0xFF) >> 4;
        int adcH = (d[6] & 0xFF) << 8 | (d[7] & 0xFF);
        if (adcT == SKIPPED_20BIT) {
            // reset values in the data registers: the chip lost its configuration (brown-out) and measured nothing
            throw badResponse("temperature reads 0x80000, the measurement was skipped");
        }
        int tFine = trim.tFine(adcT);
        double temperatureC = Trimming.compensateT(tFine) / 100.0;
        int tQc = range(temperatureC, TEMP.min(), TEMP.max()) | stuck.check("temp", adcT);
        Measurement t = new Measurement(TEMP.name(), TEMP.unit(), temperatureC, tQc);
        Measurement pressure = null;
        if (config.pressure() != Oversampling.SKIP) {
            long q24 = trim.compensateP(adcP, tFine);
            if (adcP == SKIPPED_20BIT || q24 == 0) {
                throw badResponse(String.format("pressure raw 0x%05x gives no value", adcP));
            }
            double pressurePa = q24 / 256.0;
            pressure = new Measurement(PRESSURE.name(), PRESSURE.unit(), pressurePa,
                    range(pressurePa, PRESSURE.min(), PRESSURE.max()) | stuck.check("pressure", adcP));
        }
        Measurement rh = null;
        if (config.humidity() != Oversampling.SKIP) {
            long q10 = trim.compensateH(adcH, tFine);
            double humidityPct = q10 / 1024.0;
            // the formula clamps to 0-100 %; a clamped value is a saturated sensor, not a reading
            int hQc = (q10 <= 0 || q10 >= 100 * 1024 ? QcFlags.OUT_OF_RANGE : 0)
                    | stuck.check("rh", adcH);
            rh = new Measurement(RH.name(), RH.unit(), humidityPct, hQc);
        }
        if (pressure != null && rh != null) {
            return List.of(t, pressure, rh);
        }
        return pressure != null ? List.of(t, pressure) : rh != null ? List.of(t, rh) : List.of(t);
    }

    private void waitWhile(int register, int bit, int limitMs, String what) throws ProbeException {
        for (int i = 0; i <= limitMs * 2; i++) {
            if ((link.readRegister(register, 1)[0] & bit) == 0) {
                return;
            }
            sleepMs(clock, 0.5);
        }
        throw timeout(what + " still running after " + limitMs + " ms");
    }
}
