package org.fieldgate.acquire.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeEvent;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeCounters;
import org.fieldgate.acquire.ProbeException;

import java.time.Duration;
import java.util.List;

/**
 * Pulse counter on a GPIO input: a reed-switch cup anemometer or a fan tachometer (open collector, pulled up).
 *
 * <p>References: Linux GPIO character device edge events (through Pi4J's digital input state-change events);
 * Intel "4-Wire Pulse Width Modulation (PWM) Controlled Fans" rev. 1.3, section 2.1.3: the tachometer output
 * is open collector, two pulses per revolution. An anemometer's factor comes from its datasheet (for example
 * a Davis 6410: 1 Hz = 1.006 m/s, i.e. 2.25 mph per Hz).
 *
 * <p>Edges of the configured polarity are counted as they arrive; edges closer than the debounce time to the
 * previously counted one are contact bounce and ignored. {@link #sample()} turns the count since the previous
 * sample into a frequency over the elapsed time on the {@link BusClock} and into the scaled channel
 * ({@code factor} × Hz, e.g. 30 for rpm of a two-pulse tachometer). When pulses are expected (a fan that
 * should run), {@code stuckZeroIntervals} intervals in a row without a single edge flag the values
 * {@link QcFlags#STUCK_VALUE}: the sensor, its wiring or the fan is dead.
 */
public final class PulseCounter implements Probe {

    public enum Edge { RISING, FALLING, BOTH }

    /**
     * @param pin                BCM GPIO number
     * @param edge               which edges count (open collector with pull-up: FALLING)
     * @param pull               pull resistor on the pin
     * @param debounce           edges closer than this to the last counted one are ignored
     * @param scaledChannel      name of the scaled channel, e.g. {@code wind_speed} or {@code fan_speed}
     * @param scaledUnit         its unit, e.g. {@code m/s} or {@code 1/min}
     * @param factor             scaled value per Hz
     * @param maxHz              frequencies above this are flagged OUT_OF_RANGE
     * @param stuckZeroIntervals intervals without edges before STUCK_VALUE, 0 = off (calm wind is no fault)
     */
    public record Config(int pin, Edge edge, PullResistance pull, Duration debounce, String scaledChannel,
                         String scaledUnit, double factor, double maxHz, int stuckZeroIntervals) {
        public Config {
            if (pin < 0 || pin > 53) {
                throw new IllegalArgumentException("GPIO pin must be 0-53, not " + pin);
            }
            if (!(factor > 0) || !Double.isFinite(factor)) {
                throw new IllegalArgumentException("pulse factor must be positive, not " + factor);
            }
            if (stuckZeroIntervals < 0) {
                throw new IllegalArgumentException("stuck-zero-intervals must be >= 0, not " + stuckZeroIntervals);
            }
        }

        /** A fan tachometer: rpm = 60 / pulses per revolution × Hz; a running fan is expected. */
        public static Config tachometer(int pin, int pulsesPerRevolution, int stuckZeroIntervals) {
            return new Config(pin, Edge.FALLING, PullResistance.PULL_UP, Duration.ofMillis(1), "speed", "1/min",
                    60.0 / pulsesPerRevolution, 10_000, stuckZeroIntervals);
        }

        /** A cup anemometer: m/s = factor × Hz; calm air gives no pulses, so no stuck check. */
        public static Config anemometer(int pin, double metresPerSecondPerHz) {
            return new Config(pin, Edge.FALLING, PullResistance.PULL_UP, Duration.ofMillis(1), "wind_speed", "m/s",
                    metresPerSecondPerHz, 200, 0);
        }
    }

    private final DigitalInput input;
    private final Config config;
    private final BusClock clock;
    private final DigitalStateChangeListener listener;
    private long count;
    private long lastCountedEdge = Long.MIN_VALUE / 2;
    private long windowStart;
    private int zeroIntervals;
    private long samples;
    private long failures;
    private long bounces;

    public PulseCounter(DigitalInput input, Config config, BusClock clock) {
        this.input = input;
        this.config = config;
        this.clock = clock;
        this.windowStart = clock.nanoTime();
        this.listener = this::onEvent;
        input.addListener(listener);
    }

    /** Opens BCM {@code pin} as an input through the context's provider, or {@code providerId} when given. */
    public static DigitalInput open(Context pi4j, Config config, String providerId) {
        String id = "pulse-" + config.pin();
        if (pi4j.registry().exists(id)) {
            pi4j.shutdown(id);
        }
        DigitalInputConfigBuilder b = DigitalInput.newConfigBuilder(pi4j).id(id).address(config.pin())
                .pull(config.pull());
        if (providerId != null) {
            b.provider(providerId);
        }
        return pi4j.create(b.build());
    }

    private void onEvent(DigitalStateChangeEvent event) {
        DigitalState s = (DigitalState) event.state();
        boolean counts = switch (config.edge()) {
            case RISING -> s == DigitalState.HIGH;
            case FALLING -> s == DigitalState.LOW;
            case BOTH -> s == DigitalState.HIGH || s == DigitalState.LOW;
        };
        if (!counts) {
            return;
        }
        long now = clock.nanoTime();
        synchronized (this) {
            if (now - lastCountedEdge < config.debounce().toNanos()) {
                bounces++;
                return;
            }
            lastCountedEdge = now;
            count++;
        }
    }

    @Override
    public String model() {
        return "GPIO-PULSE";
    }

    @Override
    public String address() {
        return "gpio-" + config.pin();
    }

    /** Edges ignored as contact bounce so far. */
    public synchronized long bounces() {
        return bounces;
    }

    @Override
    public synchronized List<Measurement> sample() throws ProbeException {
        long now = clock.nanoTime();
        long elapsed = now - windowStart;
        if (elapsed <= 0) {
            failures++;
            throw new ProbeException(model(), address(), ProbeException.Cause.BAD_RESPONSE,
                    "sampled again before any time passed");
        }
        long n = count;
        count = 0;
        windowStart = now;
        double hz = n / (elapsed / 1e9);
        int qc = hz > config.maxHz() ? QcFlags.OUT_OF_RANGE : 0;
        zeroIntervals = n == 0 ? zeroIntervals + 1 : 0;
        if (config.stuckZeroIntervals() > 0 && zeroIntervals >= config.stuckZeroIntervals()) {
            qc |= QcFlags.STUCK_VALUE;
        }
        samples++;
        return List.of(new Measurement("frequency", "Hz", hz, qc),
                new Measurement(config.scaledChannel(), config.scaledUnit(), hz * config.factor(), qc));
    }

    @Override
    public synchronized ProbeCounters counters() {
        return new ProbeCounters(samples, failures, 0, 0, 1);
    }

    @Override
    public void close() {
        try {
            input.removeListener(listener);
        } catch (RuntimeException ignored) {
            // already shut down with its context
        }
    }
}
