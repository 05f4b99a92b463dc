package org.fieldgate.acquire.scd30;

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
 * Sensirion SCD30 CO2, temperature and humidity module (NDIR CO2 with an SHT31 on board), over I2C.
 *
 * <p>Datasheet: "Interface Description Sensirion SCD30 Sensor Module", version 1.0 (May 2020): section 1.1
 * I2C protocol (address 0x61, 16-bit commands, every 16-bit word followed by its CRC-8, polynomial 0x31, init
 * 0xFF), section 1.4 commands. Measurement ranges from the SCD30 datasheet (0-40 000 ppm CO2, -40-70 °C).
 *
 * <p>The module measures continuously at its own interval; each sample waits for "data ready", then reads the
 * 18-byte frame (CO2, T, RH as big-endian IEEE-754 float32, two words each, every word CRC-checked).
 */
public final class Scd30 extends I2cProbe {
    public static final int DEFAULT_ADDRESS = 0x61;
    /** Specified accuracy 10 s after the start of continuous measurement (the first value comes after ~2 s). */
    public static final Duration WARM_UP = Duration.ofSeconds(10);
    public static final DriverChannel CO2 = new DriverChannel("co2", "ppm", 0, 40_000);
    public static final DriverChannel TEMP = new DriverChannel("temp", "Cel", -40, 70);
    public static final DriverChannel RH = new DriverChannel("rh", "%RH", 0, 100);

    // section 1.4: commands
    static final int TRIGGER_CONTINUOUS_MEASUREMENT = 0x0010; // 1.4.1, argument: ambient pressure in mbar, 0 = off
    static final int STOP_CONTINUOUS_MEASUREMENT = 0x0104;    // 1.4.2
    static final int SET_MEASUREMENT_INTERVAL = 0x4600;       // 1.4.3, argument: 2-1800 s
    static final int GET_DATA_READY_STATUS = 0x0202;          // 1.4.4, 1 = a measurement can be read
    static final int READ_MEASUREMENT = 0x0300;               // 1.4.5, 6 words: CO2, T, RH as float32
    static final int READ_FIRMWARE_VERSION = 0xD100;          // 1.4.10
    static final int SOFT_RESET = 0xD304;                     // 1.4.11

    /** The Pi's I2C controller mishandles long clock stretching: wait for the reply instead of stretching for it. */
    private static final double COMMAND_TO_READ_MS = 3;
    private static final double POLL_MS = 100;

    /**
     * @param address             I2C address (0x61, fixed)
     * @param intervalS           measurement interval, 2-1800 s (section 1.4.3)
     * @param ambientPressureMbar pressure compensation, 700-1400 mbar, or 0 to leave it off (section 1.4.1)
     * @param warmUp              values this soon after (re)start are flagged WARMING_UP
     * @param stuckRepeats        identical raw frames in a row that count as stuck, 0 = off
     */
    public record Config(int address, int intervalS, int ambientPressureMbar, Duration warmUp, int stuckRepeats) {
        public Config {
            if (intervalS < 2 || intervalS > 1800) {
                throw new IllegalArgumentException("SCD30 interval-s must be 2-1800, not " + intervalS);
            }
            if (ambientPressureMbar != 0 && (ambientPressureMbar < 700 || ambientPressureMbar > 1400)) {
                throw new IllegalArgumentException("SCD30 ambient-pressure-mbar must be 0 or 700-1400, not "
                        + ambientPressureMbar);
            }
        }

        public static Config defaults() {
            return new Config(DEFAULT_ADDRESS, 2, 0, WARM_UP, 10);
        }
    }

    private final Config config;
    private final StuckDetector stuck;

    public Scd30(I2C i2c, Config config, BusClock clock) {
        super(new I2cLink(i2c, "SCD30"), clock, config.warmUp());
        this.config = config;
        this.stuck = new StuckDetector(config.stuckRepeats());
    }

    public Scd30(I2C i2c, Config config) {
        this(i2c, config, BusClock.SYSTEM);
    }

    @Override
    protected void initialise() throws ProbeException {
        // the firmware version read is the presence check: it proves the chip answers and its CRC is right
        link.command(READ_FIRMWARE_VERSION);
        sleepMs(clock, COMMAND_TO_READ_MS);
        link.readWords(1);
        link.command(SET_MEASUREMENT_INTERVAL, config.intervalS());
        sleepMs(clock, COMMAND_TO_READ_MS);
        // (re)triggering also restarts a measurement that a brown-out stopped
        link.command(TRIGGER_CONTINUOUS_MEASUREMENT, config.ambientPressureMbar());
        sleepMs(clock, COMMAND_TO_READ_MS);
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        waitForDataReady();
        link.command(READ_MEASUREMENT);
        sleepMs(clock, COMMAND_TO_READ_MS);
        int[] w = link.readWords(6);
        int co2Bits = w[0] << 16 | w[1];
        int tBits = w[2] << 16 | w[3];
        int rhBits = w[4] << 16 | w[5];
        double co2Ppm = Float.intBitsToFloat(co2Bits);
        double temperatureC = Float.intBitsToFloat(tBits);
        double humidityPct = Float.intBitsToFloat(rhBits);
        if (!Double.isFinite(co2Ppm) || !Double.isFinite(temperatureC) || !Double.isFinite(humidityPct)) {
            throw badResponse(String.format("non-finite float in frame %08x %08x %08x", co2Bits, tBits, rhBits));
        }
        return List.of(
                new Measurement(CO2.name(), CO2.unit(), co2Ppm,
                        range(co2Ppm, CO2.min(), CO2.max()) | stuck.check("co2", co2Bits)),
                new Measurement(TEMP.name(), TEMP.unit(), temperatureC,
                        range(temperatureC, TEMP.min(), TEMP.max()) | stuck.check("temp", tBits)),
                new Measurement(RH.name(), RH.unit(), humidityPct,
                        range(humidityPct, RH.min(), RH.max()) | stuck.check("rh", rhBits)));
    }

    private void waitForDataReady() throws ProbeException {
        // one interval plus margin: the module's clock is not ours, and a read may start just after a sample
        double limitMs = config.intervalS() * 1500.0 + 1000;
        awaitDataReady(GET_DATA_READY_STATUS, COMMAND_TO_READ_MS, POLL_MS, limitMs, word -> word == 1);
    }

    @Override
    public void close() {
        try {
            link.command(STOP_CONTINUOUS_MEASUREMENT);
        } catch (ProbeException ignored) {
            // a chip that is gone cannot be stopped; closing the bus handle is all that is left
        }
        super.close();
    }

    /** QC bits this driver sets, for its README and tests. */
    public static final int QC_BITS = QcFlags.OUT_OF_RANGE | QcFlags.STUCK_VALUE | QcFlags.CRC_RETRIED
            | QcFlags.WARMING_UP | QcFlags.REINITIALISED;
}
