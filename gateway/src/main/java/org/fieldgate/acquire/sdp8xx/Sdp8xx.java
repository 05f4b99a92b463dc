package org.fieldgate.acquire.sdp8xx;

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
 * Sensirion SDP8xx (SDP810/SDP800) and SDP3x (SDP31/SDP32) differential pressure sensors, over I2C, in
 * continuous mode; the airflow through a duct or orifice follows from the configured factor
 * ({@code flowM3PerS = k * sign(dp) * sqrt(|dp|)}, Bernoulli through a fixed restriction).
 *
 * <p>Datasheet: "Datasheet SDP8xx-Digital, Digital Differential Pressure Sensor", Sensirion (the SDP3x
 * datasheet shares the interface), chapter 5 "Operation and Communication": the command table (start
 * continuous measurement 0x3603 = mass flow temperature compensation with averaging till read, 0x3608 without
 * averaging, 0x3615 / 0x361E for differential-pressure temperature compensation with / without averaging; stop
 * 0x3FF9), the CRC-8 (0x31, init 0xFF)
 * after every word, and the conversion (dp [Pa] = raw / scale factor, T [°C] = raw / 200, both signed 16-bit;
 * the scale factor comes in the frame: 60 Pa^-1 for the 500 Pa parts, 240 for the 125 Pa ones). I2C address
 * 0x25 (SDP8x0) or 0x26 (SDP8x1), 0x21-0x23 for SDP3x.
 *
 * <p>Which compensation: the gateway turns dp into a volume flow at the measured temperature and pressure
 * (Q = k sqrt(dp), then moles from p / RT), which needs the true differential pressure in Pa: differential
 * pressure compensation (0x3615) is the default. Mass-flow compensation (0x3603) reports a density-normalised dp,
 * for a flow element calibrated in mass flow; feeding that through p / RT again would compensate twice.
 * Averaging till read is the default: the sensor averages every internal sample since the last read, so a
 * 1-10 s poll of a fan-driven duct sees the mean, not one turbulent instant.
 *
 * <p>The first result is ready 8 ms after the start; the first 20 ms may deviate by a few percent, hence the
 * warm-up flag. The scale factor in each frame is checked against the configured model: a mismatch is a wrong
 * part or a garbled frame, never silently divided by.
 */
public final class Sdp8xx extends I2cProbe {
    // chapter 5: commands
    static final int START_CONTINUOUS_MASS_FLOW_AVERAGE = 0x3603;
    static final int START_CONTINUOUS_MASS_FLOW = 0x3608;
    static final int START_CONTINUOUS_DIFF_PRESSURE_AVERAGE = 0x3615;
    static final int START_CONTINUOUS_DIFF_PRESSURE = 0x361E;
    static final int STOP_CONTINUOUS = 0x3FF9;

    private static final double FIRST_RESULT_MS = 8;
    private static final double AFTER_STOP_MS = 1;
    static final double TEMPERATURE_SCALE = 200;
    /** Power-up 25 ms, which also covers the first 20 ms after the start whose values may deviate. */
    public static final Duration WARM_UP = Duration.ofMillis(25);
    /** dp's range is the configured part's; this is the SDP810-500Pa's. */
    public static final DriverChannel DP = new DriverChannel("dp", "Pa", -500, 500);
    public static final DriverChannel TEMP = new DriverChannel("temp", "Cel", -40, 85);

    /** Model: full-scale range and the scale factor it reports. */
    public enum Model {
        SDP810_500PA(500, 60), SDP810_125PA(125, 240), SDP31(500, 60), SDP32(125, 240);
        final double rangePa;
        final int scaleFactor;

        Model(double rangePa, int scaleFactor) {
            this.rangePa = rangePa;
            this.scaleFactor = scaleFactor;
        }
    }

    /** Temperature compensation of the continuous measurement (datasheet command table). */
    public enum Compensation {
        DIFFERENTIAL_PRESSURE(START_CONTINUOUS_DIFF_PRESSURE_AVERAGE, START_CONTINUOUS_DIFF_PRESSURE),
        MASS_FLOW(START_CONTINUOUS_MASS_FLOW_AVERAGE, START_CONTINUOUS_MASS_FLOW);
        final int averaging;
        final int single;

        Compensation(int averaging, int single) {
            this.averaging = averaging;
            this.single = single;
        }
    }

    /**
     * @param address        0x25 (SDP8x0), 0x26 (SDP8x1), 0x21-0x23 (SDP3x)
     * @param model          which part: its range and scale factor
     * @param flowFactor     k in m3/s per sqrt(Pa), from the duct or orifice calibration; 0 = no flow channel
     * @param compensation   differential pressure (true Pa, the default) or mass flow
     * @param averaging      average till read (default) rather than the latest internal sample
     * @param warmUp         values this soon after (re)start are flagged WARMING_UP
     * @param stuckRepeats   identical raw frames in a row that count as stuck, 0 = off
     */
    public record Config(int address, Model model, double flowFactor, Compensation compensation, boolean averaging,
                         Duration warmUp, int stuckRepeats) {
        /** Differential-pressure compensation with averaging till read. */
        public Config(int address, Model model, double flowFactor, Duration warmUp, int stuckRepeats) {
            this(address, model, flowFactor, Compensation.DIFFERENTIAL_PRESSURE, true, warmUp, stuckRepeats);
        }

        /** The start-continuous command word for this compensation and averaging. */
        public int startCommand() {
            return averaging ? compensation.averaging : compensation.single;
        }

        public Config {
            if (compensation == null) {
                throw new IllegalArgumentException("SDP compensation must be DIFFERENTIAL_PRESSURE or MASS_FLOW");
            }
            if (address != 0x25 && address != 0x26 && (address < 0x21 || address > 0x23)) {
                throw new IllegalArgumentException("SDP8xx/SDP3x address must be 0x25, 0x26 or 0x21-0x23, not 0x"
                        + Integer.toHexString(address));
            }
            if (!(flowFactor >= 0) || Double.isInfinite(flowFactor)) {
                throw new IllegalArgumentException("SDP flow-factor must be a finite number >= 0, not " + flowFactor);
            }
        }

        public static Config defaults() {
            return new Config(0x25, Model.SDP810_500PA, 0, WARM_UP, 0);
        }
    }

    private final Config config;
    private final StuckDetector stuck;

    public Sdp8xx(I2C i2c, Config config, BusClock clock) {
        super(new I2cLink(i2c, config.model().name()), clock, config.warmUp());
        this.config = config;
        this.stuck = new StuckDetector(config.stuckRepeats());
    }

    public Sdp8xx(I2C i2c, Config config) {
        this(i2c, config, BusClock.SYSTEM);
    }

    @Override
    protected void initialise() throws ProbeException {
        // in continuous mode the sensor takes no command but stop, so stop first; an idle sensor acks it too
        link.command(STOP_CONTINUOUS);
        sleepMs(clock, AFTER_STOP_MS);
        link.command(config.startCommand());
        sleepMs(clock, FIRST_RESULT_MS);
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        int[] w = link.readWords(3);
        int dpRaw = (short) w[0];
        int tRaw = (short) w[1];
        int scale = (short) w[2];
        if (scale != config.model().scaleFactor) {
            throw badResponse("scale factor " + scale + " in the frame, " + config.model() + " has "
                    + config.model().scaleFactor);
        }
        double pressurePa = (double) dpRaw / scale;
        double temperatureC = tRaw / TEMPERATURE_SCALE;
        int dpQc = stuck.check("dp", dpRaw)
                | (Math.abs(pressurePa) > config.model().rangePa || dpRaw == Short.MAX_VALUE
                || dpRaw == Short.MIN_VALUE ? QcFlags.OUT_OF_RANGE : 0);
        Measurement dp = new Measurement(DP.name(), DP.unit(), pressurePa, dpQc);
        Measurement t = new Measurement(TEMP.name(), TEMP.unit(), temperatureC,
                range(temperatureC, TEMP.min(), TEMP.max()) | stuck.check("temp", tRaw));
        if (config.flowFactor() == 0) {
            return List.of(dp, t);
        }
        double flowM3PerS = config.flowFactor() * Math.signum(pressurePa) * Math.sqrt(Math.abs(pressurePa));
        return List.of(dp, t, new Measurement("flow", "m3/s", flowM3PerS, dpQc));
    }

    @Override
    public void close() {
        try {
            link.command(STOP_CONTINUOUS);
        } catch (ProbeException ignored) {
            // gone already; nothing to stop
        }
        super.close();
    }
}
