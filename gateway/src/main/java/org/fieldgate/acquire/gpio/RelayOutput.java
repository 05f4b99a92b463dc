package org.fieldgate.acquire.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalState;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeCounters;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.chip.DriverChannel;

import java.time.Duration;
import java.util.List;

/**
 * A relay on a GPIO output driving a chamber lid actuator: energised = lid closed.
 *
 * <p>References: Linux GPIO character device output lines (through Pi4J's digital output); the relay board's
 * datasheet for its active level (opto-isolated boards usually energise on a low input: {@code activeLow}).
 *
 * <p>The output starts and shuts down released (lid open: a gateway that dies must not leave a chamber sealed).
 * Every change is read back from the line; a line that does not take the level is a
 * {@link ProbeException}. Changes closer together than {@code minDwell} are refused ({@link Outcome#TOO_SOON}):
 * a control loop gone wrong must not chatter the relay or the lid motor. {@link #sample()} reports the
 * read-back state as the {@code state} channel (1 = energised, lid closed), flagged
 * {@link QcFlags#WARMING_UP} while the lid is still travelling.
 */
public final class RelayOutput implements Probe, LidControl {
    /** 1 = energised (lid closed), 0 = released. */
    public static final DriverChannel STATE = new DriverChannel("state", "/", 0, 1);

    /**
     * @param pin           BCM GPIO number
     * @param activeLow     the relay energises on a low line
     * @param minDwell      least time between two changes
     * @param actuation     time the lid needs to travel after a change
     */
    public record Config(int pin, boolean activeLow, Duration minDwell, Duration actuation) {
        public Config {
            if (pin < 0 || pin > 53) {
                throw new IllegalArgumentException("GPIO pin must be 0-53, not " + pin);
            }
            if (minDwell.isNegative() || actuation.isNegative()) {
                throw new IllegalArgumentException("min-dwell and actuation must not be negative");
            }
        }

        public static Config defaults(int pin) {
            return new Config(pin, true, Duration.ofSeconds(10), Duration.ofSeconds(5));
        }
    }

    private final DigitalOutput output;
    private final Config config;
    private final BusClock clock;
    private long lastChange = Long.MIN_VALUE / 2;
    private long switches;
    private long refusals;
    private long samples;
    private long failures;

    /** Takes {@code output} over and releases it (lid open). */
    public RelayOutput(DigitalOutput output, Config config, BusClock clock) throws ProbeException {
        this.output = output;
        this.config = config;
        this.clock = clock;
        drive(false);
    }

    /** Opens BCM {@code pin} as an output, initial and shutdown level = released. */
    public static DigitalOutput open(Context pi4j, Config config, String providerId) {
        String id = "relay-" + config.pin();
        if (pi4j.registry().exists(id)) {
            pi4j.shutdown(id);
        }
        DigitalState released = config.activeLow() ? DigitalState.HIGH : DigitalState.LOW;
        DigitalOutputConfigBuilder b = DigitalOutput.newConfigBuilder(pi4j).id(id).address(config.pin())
                .initial(released).shutdown(released);
        if (providerId != null) {
            b.provider(providerId);
        }
        return pi4j.create(b.build());
    }

    @Override
    public synchronized Outcome closeLid() throws ProbeException {
        return request(true);
    }

    @Override
    public synchronized Outcome openLid() throws ProbeException {
        return request(false);
    }

    private Outcome request(boolean energise) throws ProbeException {
        if (readBack() == energise) {
            return Outcome.UNCHANGED;
        }
        if (clock.nanoTime() - lastChange < config.minDwell().toNanos()) {
            refusals++;
            return Outcome.TOO_SOON;
        }
        drive(energise);
        lastChange = clock.nanoTime();
        switches++;
        return Outcome.SWITCHED;
    }

    private void drive(boolean energise) throws ProbeException {
        DigitalState level = energise != config.activeLow() ? DigitalState.HIGH : DigitalState.LOW;
        try {
            output.state(level);
        } catch (Exception e) {
            failures++;
            throw new ProbeException(model(), address(), ProbeException.Cause.NACK,
                    "setting " + level + " failed: " + e.getMessage(), e);
        }
        if (readBack() != energise) {
            failures++;
            throw new ProbeException(model(), address(), ProbeException.Cause.BAD_RESPONSE,
                    "line reads " + output.state() + " after driving " + level);
        }
    }

    private boolean readBack() throws ProbeException {
        DigitalState s;
        try {
            s = output.state();
        } catch (RuntimeException e) {
            failures++;
            throw new ProbeException(model(), address(), ProbeException.Cause.NACK, "read-back failed: " + e, e);
        }
        if (s != DigitalState.HIGH && s != DigitalState.LOW) {
            failures++;
            throw new ProbeException(model(), address(), ProbeException.Cause.BAD_RESPONSE, "line state " + s);
        }
        return (s == DigitalState.HIGH) != config.activeLow();
    }

    @Override
    public synchronized boolean lidClosed() throws ProbeException {
        return readBack();
    }

    @Override
    public synchronized boolean settled() {
        return clock.nanoTime() - lastChange >= config.actuation().toNanos();
    }

    /** Requests refused for the minimum dwell so far. */
    public synchronized long refusals() {
        return refusals;
    }

    public synchronized long switches() {
        return switches;
    }

    @Override
    public String model() {
        return "GPIO-RELAY";
    }

    @Override
    public String address() {
        return "gpio-" + config.pin();
    }

    @Override
    public synchronized List<Measurement> sample() throws ProbeException {
        boolean closed = readBack();
        samples++;
        return List.of(new Measurement(STATE.name(), STATE.unit(), closed ? 1 : 0,
                settled() ? 0 : QcFlags.WARMING_UP));
    }

    @Override
    public synchronized ProbeCounters counters() {
        return new ProbeCounters(samples, failures, 0, 0, 1);
    }

    /** Releases the relay (lid open); the line itself belongs to the Pi4J context. */
    @Override
    public synchronized void close() {
        try {
            drive(false);
        } catch (ProbeException ignored) {
            // nothing more can be done for a line that does not answer; the context's shutdown level applies
        }
    }
}
