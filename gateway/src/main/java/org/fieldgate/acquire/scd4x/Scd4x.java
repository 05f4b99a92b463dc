package org.fieldgate.acquire.scd4x;

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
 * Sensirion SCD40/SCD41 (photoacoustic CO2, with temperature and humidity), over I2C.
 *
 * <p>Datasheet: "SCD4x Datasheet", Sensirion, version 1.x: section 3.3 I2C (address 0x62, 16-bit commands,
 * 16-bit words each with CRC-8 0x31/0xFF, section 3.11), section 3.5 basic commands, section 3.6 on-chip
 * output signal compensation, section 3.9 advanced features. Conversions of section 3.5.2: CO2 [ppm] = word,
 * T [°C] = -45 + 175 * word / (2^16 - 1), RH [%] = 100 * word / (2^16 - 1).
 *
 * <p>Periodic measurement updates every 5 s; the read buffer empties on read-out, so each sample waits for
 * data-ready first. While measuring the chip acknowledges only the periodic-mode commands, hence the stop
 * (and its 500 ms) before anything else on initialisation.
 */
public final class Scd4x extends I2cProbe {
    public static final int DEFAULT_ADDRESS = 0x62;

    // section 3.5: basic commands, with their execution times
    static final int START_PERIODIC_MEASUREMENT = 0x21B1; // 3.5.1, no wait
    static final int READ_MEASUREMENT = 0xEC05;           // 3.5.2, 1 ms, 3 words
    static final int STOP_PERIODIC_MEASUREMENT = 0x3F86;  // 3.5.3, 500 ms
    // section 3.6: on-chip output signal compensation
    static final int SET_AMBIENT_PRESSURE = 0xE000;       // 3.6.5, 1 ms, argument: pressure in Pa / 100
    // section 3.8 / 3.9: low power and advanced features
    static final int GET_DATA_READY_STATUS = 0xE4B8;      // 3.8.2, 1 ms, ready when the low 11 bits are not 0
    static final int GET_SERIAL_NUMBER = 0x3682;          // 3.9.2, 1 ms, 3 words
    static final int REINIT = 0x3646;                     // 3.9.5, 30 ms

    private static final double STOP_MS = 500;
    private static final double EXECUTION_MS = 1;
    private static final double POLL_MS = 250;
    private static final double SIGNAL_UPDATE_MS = 5000;
    /** 3.5.1: the first periodic measurement is ready one signal update interval (5 s) after the start. */
    public static final Duration WARM_UP = Duration.ofMillis((long) SIGNAL_UPDATE_MS);

    // section 3.5.2 conversions; 0 ppm is no physical reading of air or soil gas, so it is flagged as well
    public static final DriverChannel CO2 = new DriverChannel("co2", "ppm", 0, 40_000);
    public static final DriverChannel TEMP = new DriverChannel("temp", "Cel", -10, 60);
    public static final DriverChannel RH = new DriverChannel("rh", "%RH", 0, 100);

    /**
     * @param address             0x62 (fixed)
     * @param ambientPressurePa   pressure compensation in Pa (70 000-120 000), or 0 to leave the default
     * @param warmUp              values this soon after (re)start are flagged WARMING_UP
     * @param stuckRepeats        identical raw frames in a row that count as stuck, 0 = off
     */
    public record Config(int address, int ambientPressurePa, Duration warmUp, int stuckRepeats) {
        public Config {
            if (ambientPressurePa != 0 && (ambientPressurePa < 70_000 || ambientPressurePa > 120_000)) {
                throw new IllegalArgumentException("SCD4x ambient-pressure-pa must be 0 or 70000-120000, not "
                        + ambientPressurePa);
            }
        }

        public static Config defaults() {
            return new Config(DEFAULT_ADDRESS, 0, WARM_UP, 10);
        }
    }

    private final Config config;
    private final StuckDetector stuck;
    private long serialNumber;

    public Scd4x(I2C i2c, Config config, BusClock clock) {
        super(new I2cLink(i2c, "SCD4x"), clock, config.warmUp());
        this.config = config;
        this.stuck = new StuckDetector(config.stuckRepeats());
    }

    public Scd4x(I2C i2c, Config config) {
        this(i2c, config, BusClock.SYSTEM);
    }

    /** The chip's 48-bit serial number, read on initialisation. */
    public long serialNumber() {
        return serialNumber;
    }

    @Override
    protected void initialise() throws ProbeException {
        // from any state: stop is accepted while measuring and when idle
        link.command(STOP_PERIODIC_MEASUREMENT);
        sleepMs(clock, STOP_MS);
        link.command(GET_SERIAL_NUMBER);
        sleepMs(clock, EXECUTION_MS);
        int[] sn = link.readWords(3);
        serialNumber = (long) sn[0] << 32 | (long) sn[1] << 16 | sn[2];
        if (config.ambientPressurePa() != 0) {
            link.command(SET_AMBIENT_PRESSURE, config.ambientPressurePa() / 100);
            sleepMs(clock, EXECUTION_MS);
        }
        link.command(START_PERIODIC_MEASUREMENT);
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        waitForDataReady();
        link.command(READ_MEASUREMENT);
        sleepMs(clock, EXECUTION_MS);
        int[] w = link.readWords(3);
        double co2Ppm = w[0];
        double temperatureC = -45 + 175.0 * w[1] / 65535;
        double humidityPct = 100.0 * w[2] / 65535;
        return List.of(
                new Measurement(CO2.name(), CO2.unit(), co2Ppm, (w[0] == 0 ? QcFlags.OUT_OF_RANGE
                        : range(co2Ppm, CO2.min(), CO2.max())) | stuck.check("co2", w[0])),
                new Measurement(TEMP.name(), TEMP.unit(), temperatureC,
                        range(temperatureC, TEMP.min(), TEMP.max()) | stuck.check("temp", w[1])),
                new Measurement(RH.name(), RH.unit(), humidityPct,
                        range(humidityPct, RH.min(), RH.max()) | stuck.check("rh", w[2])));
    }

    private void waitForDataReady() throws ProbeException {
        double limitMs = SIGNAL_UPDATE_MS * 1.5 + 1000;
        awaitDataReady(GET_DATA_READY_STATUS, EXECUTION_MS, POLL_MS, limitMs, word -> (word & 0x07FF) != 0);
    }

    @Override
    public void close() {
        try {
            link.command(STOP_PERIODIC_MEASUREMENT);
        } catch (ProbeException ignored) {
            // gone already; nothing left to stop
        }
        super.close();
    }
}
