package org.fieldgate.acquire.modbus;

import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.serial.InstrumentFake;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A Modbus RTU server (slave) as the serial-line guide describes it: it checks the request CRC and address and
 * stays silent on a mismatch (section 2.4.1), answers 0x03/0x04 from its register maps, and otherwise sends an
 * exception response (application protocol section 7): 01 for an unsupported function, 02 for an address
 * outside its map, 03 for a bad count. Also notes requests that broke the 3.5-character silence.
 */
public abstract class ModbusSlaveFake extends InstrumentFake {
    protected final Map<Integer, Integer> holding = new HashMap<>();
    protected final Map<Integer, Integer> input = new HashMap<>();
    private final int slave;
    private final long silenceNanos;
    private final long charNanos;
    private Duration latency = Duration.ofMillis(20);
    private int forcedException;
    private long lastActivity = Long.MIN_VALUE / 2;
    private int silenceViolations;
    private int requests;

    protected ModbusSlaveFake(VirtualClock clock, int slave, long charNanos) {
        super(clock);
        this.slave = slave;
        this.charNanos = charNanos;
        this.silenceNanos = Math.round(3.5 * charNanos);
    }

    /** Answer every request with this exception code (e.g. 4, server device failure), 0 = normal. */
    public void forceException(int code) {
        forcedException = code;
    }

    public void latency(Duration d) {
        latency = d;
    }

    public int silenceViolations() {
        return silenceViolations;
    }

    public int requests() {
        return requests;
    }

    /** Called before each answer, so a fake can move its measurement on. */
    protected void beforeRead(int function, int start, int count) {
    }

    @Override
    protected void onReceive(byte[] tx) {
        long start = clock.nanoTime() - tx.length * charNanos; // the link has moved time past the request
        if (start - lastActivity < silenceNanos) {
            silenceViolations++;
        }
        if (tx.length < 4 || !ModbusCrc.valid(tx) || (tx[0] & 0xFF) != slave) {
            return; // not for us, or damaged: a server never answers those
        }
        requests++;
        int function = tx[1] & 0xFF;
        byte[] answer;
        if (forcedException != 0) {
            answer = exception(function, forcedException);
        } else if ((function != 0x03 && function != 0x04) || tx.length != 8) {
            answer = exception(function, 1);
        } else {
            int first = (tx[2] & 0xFF) << 8 | (tx[3] & 0xFF);
            int count = (tx[4] & 0xFF) << 8 | (tx[5] & 0xFF);
            Map<Integer, Integer> map = function == 0x03 ? holding : input;
            if (count < 1 || count > 125) {
                answer = exception(function, 3);
            } else {
                beforeRead(function, first, count);
                byte[] adu = new byte[3 + 2 * count];
                adu[0] = (byte) slave;
                adu[1] = (byte) function;
                adu[2] = (byte) (2 * count);
                boolean mapped = true;
                for (int i = 0; i < count; i++) {
                    Integer v = map.get(first + i);
                    if (v == null) {
                        mapped = false;
                        break;
                    }
                    adu[3 + 2 * i] = (byte) (v >> 8);
                    adu[4 + 2 * i] = (byte) (int) v;
                }
                answer = mapped ? ModbusCrc.frame(adu) : exception(function, 2);
            }
        }
        reply(latency, answer);
        lastActivity = clock.nanoTime() + latency.toNanos() + answer.length * charNanos;
    }

    private byte[] exception(int function, int code) {
        return ModbusCrc.frame((byte) slave, (byte) (function | 0x80), (byte) code);
    }

    /** Puts a float32 into two registers, high word first (Eastron) or low word first (Vaisala). */
    protected static void putFloat(Map<Integer, Integer> map, int register, float v, boolean highWordFirst) {
        int bits = Float.floatToIntBits(v);
        map.put(register, highWordFirst ? bits >>> 16 : bits & 0xFFFF);
        map.put(register + 1, highWordFirst ? bits & 0xFFFF : bits >>> 16);
    }
}
