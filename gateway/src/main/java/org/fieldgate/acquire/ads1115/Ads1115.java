package org.fieldgate.acquire.ads1115;

import com.pi4j.io.i2c.I2C;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.I2cLink;
import org.fieldgate.acquire.I2cProbe;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.StuckDetector;
import org.fieldgate.senml.SenmlUnits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Texas Instruments ADS1115 16-bit delta-sigma ADC, over I2C, in single-shot mode: one conversion per
 * configured channel per sample, for capacitive soil-moisture probes (voltage to VWC through a calibration
 * polynomial), 4-20 mA loops read across a shunt, and plain voltages.
 *
 * <p>Datasheet: "ADS111x Ultra-Small, Low-Power, I2C-Compatible, 860-SPS, 16-Bit ADCs", TI SBAS444D (revised
 * December 2018), by section title: "I2C Address Selection" (0x48 ADDR to GND, 0x49 VDD, 0x4A SDA, 0x4B SCL);
 * "Single-Shot Mode" (write OS = 1, the conversion takes 1/DR, OS reads 0 until it is done); "Data Format"
 * (16-bit two's complement, LSB = FSR / 2^15, 0x7FFF / 0x8000 at the rails); "Register Map" (section 9.6:
 * pointer 0x00 conversion, 0x01 config = OS[15] MUX[14:12] PGA[11:9] MODE[8] DR[7:5] COMP_MODE[4] COMP_POL[3]
 * COMP_LAT[2] COMP_QUE[1:0], reset 0x8583).
 *
 * <p>No CRC: the config read-back is the check (a chip that reset or a bus that flipped a bit shows up as a
 * config word other than the one written), and a code at either rail is flagged as saturated.
 */
public final class Ads1115 extends I2cProbe {
    static final int REG_CONVERSION = 0x00;
    static final int REG_CONFIG = 0x01;
    static final int OS = 1 << 15;
    static final int MODE_SINGLE_SHOT = 1 << 8;
    static final int COMP_QUE_DISABLE = 0b11;
    static final int[] DATA_RATES_SPS = {8, 16, 32, 64, 128, 250, 475, 860};

    /** MUX[14:12] of the config register. */
    public enum Input {
        AIN0_AIN1(0), AIN0_AIN3(1), AIN1_AIN3(2), AIN2_AIN3(3), AIN0(4), AIN1(5), AIN2(6), AIN3(7);
        final int mux;

        Input(int mux) {
            this.mux = mux;
        }
    }

    /** PGA[11:9] of the config register: full-scale range in volts (the inputs must still stay within GND and VDD). */
    public enum Range {
        FSR_6_144(0, 6.144), FSR_4_096(1, 4.096), FSR_2_048(2, 2.048), FSR_1_024(3, 1.024), FSR_0_512(4, 0.512),
        FSR_0_256(5, 0.256);
        final int pga;
        final double volts;

        Range(int pga, double volts) {
            this.pga = pga;
            this.volts = volts;
        }
    }

    public enum Kind { VOLTAGE, MOISTURE, CURRENT_LOOP }

    /**
     * One input to convert.
     *
     * @param name         channel name; a loop adds {@code <name>_loop} with the current in mA
     * @param calibration  MOISTURE: VWC = c0 + c1 V + c2 V^2 + ... (m3/m3), fitted for the probe and soil
     * @param validMin     MOISTURE: VWC below this is flagged OUT_OF_RANGE
     * @param validMax     MOISTURE: VWC above this is flagged OUT_OF_RANGE
     * @param shuntOhms    CURRENT_LOOP: shunt the loop current runs through
     * @param low          CURRENT_LOOP: engineering value at 4 mA
     * @param high         CURRENT_LOOP: engineering value at 20 mA
     * @param unit         CURRENT_LOOP: SenML unit of the engineering value
     */
    public record Channel(String name, Input input, Range range, int dataRateSps, Kind kind, List<Double> calibration,
                          double validMin, double validMax, double shuntOhms, double low, double high, String unit) {
        public Channel {
            if (indexOf(dataRateSps) < 0) {
                throw new IllegalArgumentException("ADS1115 data rate must be one of 8, 16, 32, 64, 128, 250, 475,"
                        + " 860 SPS, not " + dataRateSps);
            }
            if (kind == Kind.MOISTURE && calibration.isEmpty()) {
                throw new IllegalArgumentException("moisture channel " + name + " needs calibration coefficients");
            }
            if (kind == Kind.CURRENT_LOOP && (shuntOhms <= 0 || !SenmlUnits.KNOWN.contains(unit))) {
                throw new IllegalArgumentException("current-loop channel " + name + " needs shunt-ohms > 0 and a"
                        + " SenML unit, not " + shuntOhms + " / " + unit);
            }
        }

        public static Channel voltage(String name, Input input, Range range) {
            return new Channel(name, input, range, 128, Kind.VOLTAGE, List.of(), 0, 0, 0, 0, 0, "V");
        }

        public static Channel moisture(String name, Input input, Range range, List<Double> calibration,
                                       double validMin, double validMax) {
            return new Channel(name, input, range, 128, Kind.MOISTURE, calibration, validMin, validMax, 0, 0, 0,
                    "m3/m3");
        }

        public static Channel currentLoop(String name, Input input, Range range, double shuntOhms, double low,
                                          double high, String unit) {
            return new Channel(name, input, range, 128, Kind.CURRENT_LOOP, List.of(), 0, 0, shuntOhms, low, high,
                    unit);
        }

        int configWord() {
            return OS | input.mux << 12 | range.pga << 9 | MODE_SINGLE_SHOT | indexOf(dataRateSps) << 5
                    | COMP_QUE_DISABLE;
        }
    }

    // NAMUR NE43: 3.8-20.5 mA is the measuring range (with its saturation zones), <= 3.6 or >= 21 mA a failure
    static final double LOOP_MIN_MA = 3.8;
    static final double LOOP_MAX_MA = 20.5;
    static final double LOOP_FAULT_LOW_MA = 3.6;
    static final double LOOP_FAULT_HIGH_MA = 21.0;

    private final List<Channel> channels;
    private final StuckDetector stuck;

    public Ads1115(I2C i2c, List<Channel> channels, int stuckRepeats, BusClock clock) {
        super(new I2cLink(i2c, "ADS1115"), clock, Duration.ZERO);
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("ADS1115 needs at least one channel");
        }
        this.channels = List.copyOf(channels);
        this.stuck = new StuckDetector(stuckRepeats);
    }

    public Ads1115(I2C i2c, List<Channel> channels, int stuckRepeats) {
        this(i2c, channels, stuckRepeats, BusClock.SYSTEM);
    }

    private static int indexOf(int sps) {
        for (int i = 0; i < DATA_RATES_SPS.length; i++) {
            if (DATA_RATES_SPS[i] == sps) {
                return i;
            }
        }
        return -1;
    }

    @Override
    protected void initialise() throws ProbeException {
        // the config register is the presence check; an idle ADS1115 reads OS = 1 (not converting)
        int cfg = u16(link.readRegister(REG_CONFIG, 2));
        if ((cfg & OS) == 0) {
            // a conversion is under way (another master, or a restart mid-conversion): let it finish
            sleepMs(clock, 1000.0 / 8 * 1.1);
        }
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        List<Measurement> out = new ArrayList<>();
        for (Channel ch : channels) {
            int code = convert(ch);
            double volts = code * ch.range().volts / 32768;
            int qc = stuck.check(ch.name(), code);
            if (code == 0x7FFF || code == -0x8000) {
                qc |= QcFlags.OUT_OF_RANGE; // at the rail: the true input is beyond the full-scale range
            }
            switch (ch.kind()) {
                case VOLTAGE -> out.add(new Measurement(ch.name(), "V", volts, qc));
                case MOISTURE -> {
                    double vwc = 0;
                    for (int i = ch.calibration().size() - 1; i >= 0; i--) {
                        vwc = vwc * volts + ch.calibration().get(i); // Horner
                    }
                    out.add(new Measurement(ch.name(), "m3/m3", vwc, qc | range(vwc, ch.validMin(), ch.validMax())));
                }
                case CURRENT_LOOP -> {
                    double mA = volts / ch.shuntOhms() * 1000;
                    int loopQc = qc | (mA < LOOP_MIN_MA || mA > LOOP_MAX_MA ? QcFlags.OUT_OF_RANGE : 0)
                            | (mA <= LOOP_FAULT_LOW_MA || mA >= LOOP_FAULT_HIGH_MA ? QcFlags.LOOP_FAULT : 0);
                    double value = ch.low() + (mA - 4) / 16 * (ch.high() - ch.low());
                    out.add(new Measurement(ch.name(), ch.unit(), value, loopQc));
                    out.add(new Measurement(ch.name() + "_loop", "mA", mA, loopQc));
                }
                default -> throw new IllegalStateException();
            }
        }
        return out;
    }

    /** One single-shot conversion; returns the signed 16-bit code. */
    private int convert(Channel ch) throws ProbeException {
        int word = ch.configWord();
        link.write((byte) REG_CONFIG, (byte) (word >> 8), (byte) word);
        // conversion time is 1/DR from an oscillator good to +-10 %, plus the wake-up from power-down
        double conversionMs = 1000.0 / ch.dataRateSps();
        sleepMs(clock, conversionMs * 1.1 + 0.1);
        for (int polls = 0; ; polls++) {
            int cfg = u16(link.readRegister(REG_CONFIG, 2));
            if ((cfg & 0x7FFF) != (word & 0x7FFF)) {
                throw badResponse(String.format("config reads 0x%04x after writing 0x%04x", cfg, word));
            }
            if ((cfg & OS) != 0) {
                break;
            }
            if (polls >= 10) {
                throw timeout(String.format("conversion on %s not done after %.1f ms", ch.input(),
                        conversionMs * 2.1 + 0.1));
            }
            sleepMs(clock, conversionMs / 10);
        }
        return (short) u16(link.readRegister(REG_CONVERSION, 2));
    }

    private static int u16(byte[] b) {
        return (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
    }
}
