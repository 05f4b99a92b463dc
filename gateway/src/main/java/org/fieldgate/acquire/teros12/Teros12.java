package org.fieldgate.acquire.teros12;

import org.fieldgate.acquire.BusClock;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.StuckDetector;
import org.fieldgate.acquire.chip.DriverChannel;
import org.fieldgate.acquire.sdi12.Sdi12Crc;
import org.fieldgate.acquire.sdi12.Sdi12Port;
import org.fieldgate.acquire.serial.SerialProbe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * METER TEROS 12 soil moisture, temperature and bulk electrical conductivity sensor over SDI-12.
 *
 * <p>Manual: METER Group "TEROS 11/12 Integrator Guide" and "TEROS 12 User Manual" 18224 (2019): SDI-12
 * commands (address default 0; {@code aI!} identification with model "TER12"; {@code aM!}/{@code aMC!} answer
 * {@code a0013}: values within 1 s, 3 values; {@code aD0!} answers {@code a+RAW±T+EC}: calibrated counts, °C,
 * µS/cm), and the calibration equations (mineral soil VWC = 3.879e-4 · RAW − 0.6956 m³/m³; soilless media
 * 6.771e-10 · RAW³ − 5.105e-6 · RAW² + 1.302e-2 · RAW − 10.848). SDI-12 itself: see {@link Sdi12Port} and
 * {@link Sdi12Crc} (spec v1.4, sections 4.4.6 measurement, 4.4.12 CRC, 7 timing).
 *
 * <p>Commands, grouped as the manual groups them: identification ({@code aI!}, at (re)initialisation, checks
 * the model), measurement with CRC ({@code aMC!}, or {@code aM!} when CRC is off), then data ({@code aD0!}).
 */
public final class Teros12 extends SerialProbe {
    public static final char DEFAULT_ADDRESS = '0';
    /** Mineral soil calibration, lowest order first: VWC = -0.6956 + 3.879e-4 · RAW. */
    public static final double[] MINERAL_SOIL = {-0.6956, 3.879e-4};
    /**
     * Plausible raw counts (manual section 4.1): air, apparent permittivity 1 by equation 7, reads ~1796 (the
     * mineral equation gives VWC 0 at 1793); pure water ~3598 (where the mineral equation "reaches a maximum at
     * approximately 0.70 m3/m3"). Values outside are not a sensor in soil.
     */
    public static final double RAW_AIR = 1790;
    public static final double RAW_WATER = 3600;
    public static final DriverChannel VWC_RAW = new DriverChannel("vwc_raw", "count", RAW_AIR, RAW_WATER);
    public static final DriverChannel VWC = new DriverChannel("vwc", "m3/m3", 0, 0.7);
    public static final DriverChannel TEMP = new DriverChannel("temp", "Cel", -40, 60);
    public static final DriverChannel EC = new DriverChannel("ec", "dS/m", 0, 20);
    /** Soilless media (potting soil, rock wool) calibration, lowest order first. */
    public static final double[] SOILLESS = {-10.848, 1.302e-2, -5.105e-6, 6.771e-10};

    private static final Pattern MEASURE_ANSWER = Pattern.compile("(.)(\\d{3})(\\d)");
    private static final Pattern VALUE = Pattern.compile("[+-]\\d{1,7}(\\.\\d*)?");
    private static final Pattern VALUES = Pattern.compile("(?:[+-]\\d{1,7}(?:\\.\\d*)?)+");

    /**
     * @param address         SDI-12 address, '0'-'9', 'a'-'z', 'A'-'Z'
     * @param useCrc          measure with {@code aMC!} and check the CRC of the data
     * @param vwcPolynomial   VWC = Σ c[i] · RAW^i (m³/m³), lowest order first
     * @param rawMin          lower end of plausible raw counts (below: OUT_OF_RANGE)
     * @param rawMax          upper end of plausible raw counts
     * @param stuckRepeats    identical raw counts in a row that count as stuck, 0 = off
     * @param sendsBreak      whether the gateway makes the break (false: the adapter does)
     * @param responseTimeout for one answer line
     */
    public record Config(char address, boolean useCrc, double[] vwcPolynomial, double rawMin, double rawMax,
                         int stuckRepeats, boolean sendsBreak, Duration responseTimeout) {
        public Config {
            if (!Character.isLetterOrDigit(address) || address > 'z') {
                throw new IllegalArgumentException("SDI-12 address must be 0-9, a-z or A-Z, not '" + address + "'");
            }
            if (vwcPolynomial == null || vwcPolynomial.length == 0) {
                throw new IllegalArgumentException("TEROS 12 vwc-calibration needs at least one coefficient");
            }
            vwcPolynomial = vwcPolynomial.clone();
        }

        public static Config defaults() {
            return new Config(DEFAULT_ADDRESS, true, MINERAL_SOIL, RAW_AIR, RAW_WATER, 10, true,
                    Duration.ofMillis(200));
        }
    }

    private final Config config;
    private final Sdi12Port port;
    private final StuckDetector stuck;

    public Teros12(Sdi12Port port, Config config, BusClock clock) {
        super("TEROS12", port.address(config.address()), port, clock, Duration.ZERO);
        this.port = port;
        this.config = config;
        this.stuck = new StuckDetector(config.stuckRepeats());
    }

    @Override
    protected void initialise() throws ProbeException {
        // identification "allccccccccmmmmmmvvvxxx": SDI-12 version, vendor (8), model (6), sensor version (3)
        String id = port.command(config.address() + "I!");
        if (id.length() < 17 || id.charAt(0) != config.address() || !id.substring(11, 17).startsWith("TER12")) {
            throw badResponse("identification '" + Sdi12Port.printable(id) + "' is not a TEROS 12 at address "
                    + config.address());
        }
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        char a = config.address();
        String measure = a + (config.useCrc() ? "MC!" : "M!");
        String answer = port.command(measure);
        Matcher m = MEASURE_ANSWER.matcher(answer);
        if (!m.matches() || m.group(1).charAt(0) != a) {
            throw badResponse("answer '" + Sdi12Port.printable(answer) + "' to " + measure + " is not a" + "tttn");
        }
        int seconds = Integer.parseInt(m.group(2));
        int count = Integer.parseInt(m.group(3));
        if (count < 3) {
            throw badResponse("answer '" + Sdi12Port.printable(answer) + "' to " + measure + " announces " + count
                    + " values, not 3");
        }
        if (seconds > 0) {
            // service request "a" when ready, at the latest after ttt s; either way the data can be read then
            port.awaitLine(Duration.ofSeconds(seconds));
        }
        String data = port.command(a + "D0!");
        if (config.useCrc()) {
            if (!Sdi12Crc.valid(data)) {
                String body = data.length() > 3 ? data.substring(0, data.length() - 3) : data;
                throw port.crcError(a, "answer '" + Sdi12Port.printable(data) + "' to " + a + "D0! has CRC '"
                        + (data.length() > 3 ? Sdi12Port.printable(data.substring(data.length() - 3)) : "")
                        + "', expected '"
                        + Sdi12Crc.encode(body) + "'");
            }
            data = data.substring(0, data.length() - 3);
        }
        if (data.isEmpty() || data.charAt(0) != a || !VALUES.matcher(data.substring(1)).matches()) {
            throw badResponse("answer '" + Sdi12Port.printable(data) + "' to " + a + "D0! is not a+RAW±T+EC");
        }
        List<Double> values = new ArrayList<>();
        Matcher v = VALUE.matcher(data.substring(1));
        while (v.find()) {
            values.add(Double.parseDouble(v.group()));
        }
        if (values.size() != 3) {
            throw badResponse("answer '" + Sdi12Port.printable(data) + "' to " + a + "D0! has " + values.size()
                    + " values, not 3");
        }
        double raw = values.get(0);
        double temperature = values.get(1);
        double ecDsPerM = values.get(2) / 1000.0; // µS/cm -> dS/m
        double vwc = polynomial(config.vwcPolynomial(), raw);
        int rawQc = range(raw, config.rawMin(), config.rawMax()) | stuck.check("raw", Double.doubleToLongBits(raw));
        return List.of(
                new Measurement(VWC_RAW.name(), VWC_RAW.unit(), raw, rawQc),
                new Measurement(VWC.name(), VWC.unit(), vwc, rawQc | range(vwc, VWC.min(), VWC.max())),
                new Measurement(TEMP.name(), TEMP.unit(), temperature, range(temperature, TEMP.min(), TEMP.max())),
                new Measurement(EC.name(), EC.unit(), ecDsPerM, range(ecDsPerM, EC.min(), EC.max())));
    }

    static double polynomial(double[] c, double x) {
        double y = 0;
        for (int i = c.length - 1; i >= 0; i--) {
            y = y * x + c[i];
        }
        return y;
    }

    /** QC bits this driver sets, for its README and tests. */
    public static final int QC_BITS = QcFlags.OUT_OF_RANGE | QcFlags.STUCK_VALUE | QcFlags.CRC_RETRIED
            | QcFlags.REINITIALISED;
}
