package org.fieldgate.acquire.teros12;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.sdi12.Sdi12Crc;
import org.fieldgate.acquire.sdi12.Sdi12Port;
import org.fieldgate.acquire.serial.FakeSerialLink;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Teros12Test {
    private final VirtualClock clock = new VirtualClock();
    private final Teros12Fake sensor = new Teros12Fake(clock, '0');
    private final FakeSerialLink link = new FakeSerialLink(clock, Sdi12Port.SERIAL, sensor, true);
    private final Sdi12Port port = new Sdi12Port(link, "TEROS12", true, Duration.ofMillis(200), clock);

    private Teros12 driver(boolean crc, int stuckRepeats) {
        return new Teros12(port, new Teros12.Config('0', crc, Teros12.MINERAL_SOIL, Teros12.RAW_AIR, Teros12.RAW_WATER, stuckRepeats, true,
                Duration.ofMillis(200)), clock);
    }

    @Test
    void measuresWithCrcExactly() throws ProbeException {
        Teros12 teros = driver(true, 10);
        List<Measurement> m = teros.sample();
        String data = "0+1861.92+22.3+1";
        assertEquals(List.of("BREAK", "TX 0I!", "RX 013METER   TER12 112T12-00042\\r\\n",
                "BREAK", "TX 0MC!", "RX 00013\\r\\n", "RX 0\\r\\n",
                "BREAK", "TX 0D0!", "RX " + data + Sdi12Crc.encode(data) + "\\r\\n"), link.transcript());
        assertEquals(new Measurement("vwc_raw", "count", 1861.92, 0), m.get(0));
        assertEquals(3.879e-4 * 1861.92 - 0.6956, m.get(1).value(), 1e-12);
        assertEquals("m3/m3", m.get(1).unit());
        assertEquals(new Measurement("temp", "Cel", 22.3, 0), m.get(2));
        assertEquals(new Measurement("ec", "dS/m", 0.001, 0), m.get(3));
        assertEquals("/dev/ttyFAKE0/sdi12-0", teros.address());
        assertEquals(0, sensor.ignored());
    }

    @Test
    void measuresWithoutCrcAndWithAConfiguredPolynomial() throws ProbeException {
        Teros12 teros = new Teros12(port, new Teros12.Config('0', false, Teros12.SOILLESS, Teros12.RAW_AIR, Teros12.RAW_WATER, 0, true,
                Duration.ofMillis(200)), clock);
        sensor.set("+2500.00", "-3.5", "+250");
        List<Measurement> m = teros.sample();
        assertTrue(link.sent().contains("TX 0M!"));
        double raw = 2500;
        assertEquals(6.771e-10 * raw * raw * raw - 5.105e-6 * raw * raw + 1.302e-2 * raw - 10.848, m.get(1).value(),
                1e-9);
        assertEquals("temp", m.get(2).channel());
        assertEquals(-3.5, m.get(2).value());
        assertEquals(0.25, m.get(3).value(), 1e-12);
    }

    @Test
    void withoutServiceRequestTheDriverWaitsTheAnnouncedTime() throws ProbeException {
        Teros12 teros = driver(true, 0);
        teros.sample();
        sensor.serviceRequest(false);
        long before = clock.nanoTime();
        assertEquals(1861.92, teros.sample().get(0).value());
        assertTrue(clock.nanoTime() - before >= 1_000_000_000L);
    }

    @Test
    void aBadCrcIsRetriedOnceThenFailsThenRecovers() throws ProbeException {
        Teros12 teros = driver(true, 0);
        teros.sample();
        // data answer of the next measurement corrupted: the retry measures again
        sensor.corruptNextData(1);
        List<Measurement> m = teros.sample();
        assertEquals(QcFlags.CRC_RETRIED, m.get(0).qc());
        assertEquals(1, teros.counters().crcErrors());

        sensor.corruptNextData(2);
        ProbeException e = assertThrows(ProbeException.class, teros::sample);
        assertEquals(ProbeException.Cause.CRC, e.failure());
        assertTrue(e.getMessage().startsWith("TEROS12 at /dev/ttyFAKE0/sdi12-0: CRC: answer '0+1"), e.getMessage());
        assertEquals(3, teros.counters().crcErrors());
        assertEquals(QcFlags.REINITIALISED, teros.sample().get(0).qc());
    }

    @Test
    void noResponseIsATimeoutAfterThreeAttemptsAndRecovers() throws ProbeException {
        Teros12 teros = driver(true, 0);
        teros.sample();
        sensor.silence(true);
        link.transcript().clear();
        ProbeException e = assertThrows(ProbeException.class, teros::sample);
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        assertTrue(e.getMessage().contains("no answer to 0MC! in 3 attempts of 200 ms"), e.getMessage());
        assertEquals(List.of("BREAK", "TX 0MC!", "BREAK", "TX 0MC!", "BREAK", "TX 0MC!"), link.transcript());
        assertEquals(3, teros.counters().busErrors());
        sensor.silence(false);
        List<Measurement> m = teros.sample();
        assertEquals(QcFlags.REINITIALISED, m.get(0).qc());
        assertEquals("TX 0I!", link.sent().get(3)); // identified again first
    }

    @Test
    void garbageIsABadResponse() throws ProbeException {
        Teros12 teros = driver(false, 0);
        teros.sample();
        sensor.dataOverride("+18x1.92+22.3");
        ProbeException e = assertThrows(ProbeException.class, teros::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("is not a+RAW±T+EC"), e.getMessage());
        sensor.dataOverride("+1861.92+22.3");
        e = assertThrows(ProbeException.class, teros::sample);
        assertTrue(e.getMessage().contains("has 2 values, not 3"), e.getMessage());
        sensor.dataOverride(null);
        assertEquals(QcFlags.REINITIALISED, teros.sample().get(0).qc());
    }

    @Test
    void lineNoiseWithoutCrLfIsABadResponse() throws ProbeException {
        Teros12 teros = driver(true, 0);
        teros.sample();
        sensor.replaceNextAnswer("\u007f\u0003~");
        ProbeException e = assertThrows(ProbeException.class, teros::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        // the garbage, then the service request "0" CR LF that follows it: one broken line, shown escaped
        assertTrue(e.getMessage().contains("answer '\\x7f\\x03~0' to 0MC!"), e.getMessage());
        assertEquals(QcFlags.REINITIALISED, teros.sample().get(0).qc());
    }

    @Test
    void anotherSensorAtTheAddressIsRefused() {
        sensor.identifyAs("GS3   ");
        ProbeException e = assertThrows(ProbeException.class, driver(true, 0)::sample);
        assertEquals(ProbeException.Cause.BAD_RESPONSE, e.failure());
        assertTrue(e.getMessage().contains("is not a TEROS 12 at address 0"), e.getMessage());
        Teros12 nobody = new Teros12(port, new Teros12.Config('3', true, Teros12.MINERAL_SOIL, Teros12.RAW_AIR, Teros12.RAW_WATER, 0, true,
                Duration.ofMillis(200)), clock);
        assertEquals(ProbeException.Cause.TIMEOUT, assertThrows(ProbeException.class, nobody::sample).failure());
    }

    @Test
    void anEchoingAdapterIsHandled() throws ProbeException {
        sensor.echo(true);
        Teros12 teros = driver(true, 0);
        assertEquals(22.3, teros.sample().get(2).value());
        assertTrue(link.transcript().contains("RX 0I!013METER   TER12 112T12-00042\\r\\n"));
    }

    @Test
    void outOfRangeRawAndStuckRawAreFlagged() throws ProbeException {
        Teros12 teros = driver(true, 3);
        sensor.set("+1200.00", "+65.0", "+25000");
        List<Measurement> m = teros.sample();
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(0).qc());
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(1).qc()); // VWC from an implausible raw count
        assertTrue(m.get(1).value() < 0);
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(2).qc());
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(3).qc());
        sensor.set("+2000.00", "+20.0", "+100");
        teros.sample();
        teros.sample();
        List<Measurement> third = teros.sample();
        assertEquals(QcFlags.STUCK_VALUE, third.get(0).qc());
        assertEquals(QcFlags.STUCK_VALUE, third.get(1).qc());
        assertEquals(0, third.get(2).qc());
    }

    @Test
    void aCrcEndingInDelIsValid() throws ProbeException {
        // spec 4.4.12: each CRC character is 0x40 | 6 bits, so 0x7F (DEL) is one of them; the CRC of
        // "1+1861.92+22.3+1" is 0xb23f, sent as "KH" DEL. It must be checked as received, not escaped first.
        Teros12Fake one = new Teros12Fake(clock, '1');
        FakeSerialLink wire = new FakeSerialLink(clock, Sdi12Port.SERIAL, one, true);
        Sdi12Port bus = new Sdi12Port(wire, "TEROS12", true, Duration.ofMillis(200), clock);
        assertEquals("KH\u007f", Sdi12Crc.encode("1+1861.92+22.3+1"));
        Teros12 teros = new Teros12(bus, new Teros12.Config('1', true, Teros12.MINERAL_SOIL, Teros12.RAW_AIR,
                Teros12.RAW_WATER, 0, true, Duration.ofMillis(200)), clock);
        assertEquals(1861.92, teros.sample().get(0).value());
        assertEquals(0, teros.counters().crcErrors());
    }

    @Test
    void rawRangeIsAirToWater() throws ProbeException {
        // manual section 4.1: air (permittivity 1) ~1796 counts, pure water ~3598 (mineral VWC ~0.70)
        Teros12 teros = driver(true, 0);
        String[][] cases = {{"+1780.00", "1"}, {"+1800.00", "0"}, {"+3590.00", "0"}, {"+3650.00", "1"}};
        for (String[] c : cases) {
            sensor.set(c[0], "+20.0", "+100");
            int expected = c[1].equals("1") ? QcFlags.OUT_OF_RANGE : 0;
            assertEquals(expected, teros.sample().get(0).qc(), c[0]);
        }
    }

    @Test
    void anAnswerBrokenOffIsABadResponse() throws ProbeException {
        Teros12 teros = driver(false, 0);
        teros.sample();
        sensor.replaceNextAnswer("00");
        sensor.serviceRequest(false);
        ProbeException e = assertThrows(ProbeException.class, teros::sample);
        assertTrue(e.getMessage().contains("answer '00<no CR LF>' to 0M!"), e.getMessage());
    }

    @Test
    void noDataAfterMeasureIsABadResponse() throws ProbeException {
        Teros12 teros = driver(false, 0);
        teros.sample();
        sensor.dataOverride("");
        assertEquals(ProbeException.Cause.BAD_RESPONSE, assertThrows(ProbeException.class, teros::sample).failure());
    }

    @Test
    void unpluggedAdapterIsANack() {
        Teros12 teros = driver(true, 0);
        link.unplug(true);
        assertEquals(ProbeException.Cause.NACK, assertThrows(ProbeException.class, teros::sample).failure());
        link.unplug(false);
    }
}
