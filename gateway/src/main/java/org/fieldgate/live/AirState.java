package org.fieldgate.live;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChannelRef;

/**
 * Air temperature, pressure and water vapour of a site from the channels its chamber system names, in the
 * calculators' units (degC, kPa, mmol mol-1), joined to an analyser sample by one rule: for a sample at t, each is the
 * latest reading of its channel at or before t, and not older than {@link #MAX_AGE_NS}. The rule is the same whatever
 * order the readings arrive in (the caller waits until every channel has a reading after t, see
 * {@link #coveredUpToNs()}), so a re-computation from the stored readings joins exactly the same values.
 * Water vapour may come as relative humidity: it is then converted with the saturation vapour pressure over water of
 * Buck (1981, J. Appl. Meteorol. 20:1527, with the 1996 coefficients):
 * e_s = 0.61121 exp((18.678 - T/234.5) T / (257.14 + T)) kPa, w = RH/100 e_s / P x 1000 mmol mol-1.
 * (The shared science README gives the dilution correction but not this conversion.)
 */
public final class AirState {
    /** A value older than this (relative to the sample it is joined to) is not used. */
    public static final long MAX_AGE_NS = 120_000_000_000L;
    private static final int KEPT = 256;

    private final String site;
    private final ChannelRef temperature;
    private final ChannelRef pressure;
    private final ChannelRef h2o;
    private final ArrayDeque<Reading> t = new ArrayDeque<>();
    private final ArrayDeque<Reading> p = new ArrayDeque<>();
    private final ArrayDeque<Reading> w = new ArrayDeque<>();

    public AirState(String site, ChannelRef temperature, ChannelRef pressure, ChannelRef h2o) {
        this.site = site;
        this.temperature = temperature;
        this.pressure = pressure;
        this.h2o = h2o;
    }

    static boolean is(Reading r, String site, ChannelRef ref) {
        return ref != null && r.site().equals(site) && r.device().equals(ref.probe())
                && r.channel().equals(ref.channel());
    }

    /** Takes the reading when it is one of the three channels; true if it was. */
    public synchronized boolean offer(Reading r) {
        boolean used = false;
        if (is(r, site, temperature)) {
            keep(t, r);
            used = true;
        }
        if (is(r, site, pressure)) {
            keep(p, r);
            used = true;
        }
        if (is(r, site, h2o)) {
            keep(w, r);
            used = true;
        }
        return used;
    }

    private static void keep(ArrayDeque<Reading> q, Reading r) {
        if (q.size() >= KEPT) {
            q.removeFirst();
        }
        // usually in order; a late one is put in its place so the "latest at or before t" search stays right
        if (q.isEmpty() || q.peekLast().timeNs() <= r.timeNs()) {
            q.addLast(r);
            return;
        }
        ArrayDeque<Reading> tail = new ArrayDeque<>();
        while (!q.isEmpty() && q.peekLast().timeNs() > r.timeNs()) {
            tail.addFirst(q.removeLast());
        }
        q.addLast(r);
        q.addAll(tail);
    }

    /** The time up to which every channel has reported: samples up to it can be joined for good. */
    public synchronized long coveredUpToNs() {
        long c = Long.MAX_VALUE;
        for (ArrayDeque<Reading> q : h2o == null ? java.util.List.of(t, p) : java.util.List.of(t, p, w)) {
            c = Math.min(c, q.isEmpty() ? Long.MIN_VALUE : q.peekLast().timeNs());
        }
        return c;
    }

    private static Reading atOrBefore(ArrayDeque<Reading> q, long timeNs) {
        for (Iterator<Reading> it = q.descendingIterator(); it.hasNext(); ) {
            Reading r = it.next();
            if (r.timeNs() <= timeNs) {
                return timeNs - r.timeNs() <= MAX_AGE_NS ? r : null;
            }
        }
        return null;
    }

    /** Air state for a sample at {@code timeNs}, or null when a value is missing or too old. */
    public synchronized Air at(long timeNs) {
        Reading rt = atOrBefore(t, timeNs);
        Reading rp = atOrBefore(p, timeNs);
        Reading rw = h2o == null ? null : atOrBefore(w, timeNs);
        if (rt == null || rp == null || (h2o != null && rw == null)) {
            return null;
        }
        return air(rt, rp, rw);
    }

    /** The join of one temperature, pressure and (optional) water-vapour reading, in the calculators' units. */
    public static Air air(Reading rt, Reading rp, Reading rw) {
        double tempC = rt.unit().equals("K") ? rt.value() - 273.15 : rt.value();
        double kpa = switch (rp.unit()) {
            case "Pa" -> rp.value() / 1000;
            case "hPa" -> rp.value() / 10;
            default -> rp.value();
        };
        double h2oMmolMol = 0;
        int qc = rt.qc() | rp.qc();
        if (rw != null) {
            qc |= rw.qc();
            h2oMmolMol = switch (rw.unit()) {
                case "%RH" -> rhToMmolMol(rw.value(), tempC, kpa);
                case "umol/mol" -> rw.value() / 1000;
                default -> rw.value();
            };
        }
        return new Air(tempC, kpa, h2oMmolMol, qc);
    }

    static double rhToMmolMol(double rhPercent, double tempC, double pressureKpa) {
        double es = 0.61121 * Math.exp((18.678 - tempC / 234.5) * tempC / (257.14 + tempC));
        return rhPercent / 100 * es / pressureKpa * 1000;
    }

    public record Air(double tempC, double pressureKpa, double h2oMmolMol, int qc) {
    }
}
