package org.fieldgate.acquire.sdm;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.modbus.ModbusCrc;
import org.fieldgate.acquire.serial.FakeSerialLink;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdmEnergyMeterTest {
    private final VirtualClock clock = new VirtualClock();

    private static String crc(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        int c = ModbusCrc.crc16(b, 0, b.length);
        return String.format("%02x %02x", c & 0xFF, c >>> 8);
    }

    @Test
    void sdm120ReadsPowerEnergyAndVoltageWithExactFrames() throws ProbeException {
        SdmFake meter = new SdmFake(clock, SdmEnergyMeter.Variant.SDM120, 1);
        FakeSerialLink link = new FakeSerialLink(clock, SdmEnergyMeter.Variant.SDM120.defaultSerial, meter, false);
        SdmEnergyMeter sdm = new SdmEnergyMeter(link, SdmEnergyMeter.Config.defaults(SdmEnergyMeter.Variant.SDM120),
                clock);
        // 1500 W = 0x44BB8000, 12.5 kWh = 0x41480000, 230.25 V = 0x43664000: high word first
        meter.set(230.25f, 1500f, 12.5f);
        List<Measurement> m = sdm.sample();
        assertEquals(List.of(new Measurement("power", "W", 1500, 0), new Measurement("energy_import", "kWh", 12.5, 0),
                new Measurement("voltage", "V", 230.25, 0)), m);
        assertEquals(List.of(
                "TX 01 04 00 0c 00 02 " + crc(1, 4, 0, 0x0c, 0, 2),
                "RX 01 04 04 44 bb 80 00 " + crc(1, 4, 4, 0x44, 0xbb, 0x80, 0),
                "TX 01 04 00 48 00 02 " + crc(1, 4, 0, 0x48, 0, 2),
                "RX 01 04 04 41 48 00 00 " + crc(1, 4, 4, 0x41, 0x48, 0, 0),
                "TX 01 04 00 00 00 02 " + crc(1, 4, 0, 0, 0, 2),
                "RX 01 04 04 43 66 40 00 " + crc(1, 4, 4, 0x43, 0x66, 0x40, 0)), link.transcript());
        assertEquals("01 04 00 0c 00 02 b1 c8", link.sent().get(0).substring(3)); // as Eastron's own examples
        assertEquals(0, meter.silenceViolations()); // 3.5 characters at 2400 baud between frames
        assertEquals("SDM120", sdm.model());
    }

    @Test
    void sdm630ReadsTotalSystemPower() throws ProbeException {
        SdmFake meter = new SdmFake(clock, SdmEnergyMeter.Variant.SDM630, 7);
        FakeSerialLink link = new FakeSerialLink(clock, SdmEnergyMeter.Variant.SDM630.defaultSerial, meter, false);
        SdmEnergyMeter sdm = new SdmEnergyMeter(link, new SdmEnergyMeter.Config(SdmEnergyMeter.Variant.SDM630, 7,
                Duration.ofMillis(300), 0), clock);
        meter.set(0f, -2500f, 1234.5f);
        List<Measurement> m = sdm.sample();
        assertEquals(new Measurement("power", "W", -2500, 0), m.get(0));
        assertEquals(new Measurement("energy_import", "kWh", 1234.5, 0), m.get(1));
        assertEquals(2, m.size());
        assertEquals("TX 07 04 00 34 00 02 " + crc(7, 4, 0, 0x34, 0, 2), link.transcript().get(0));
    }

    @Test
    void crcRetryTimeoutExceptionAndRecovery() throws ProbeException {
        SdmFake meter = new SdmFake(clock, SdmEnergyMeter.Variant.SDM120, 1);
        FakeSerialLink link = new FakeSerialLink(clock, SdmEnergyMeter.Variant.SDM120.defaultSerial, meter, false);
        SdmEnergyMeter sdm = new SdmEnergyMeter(link, SdmEnergyMeter.Config.defaults(SdmEnergyMeter.Variant.SDM120),
                clock);
        sdm.sample();
        meter.corruptNextReplies(1);
        assertTrue(sdm.sample().get(0).has(QcFlags.CRC_RETRIED));
        meter.corruptNextReplies(2);
        assertEquals(ProbeException.Cause.CRC, assertThrows(ProbeException.class, sdm::sample).failure());
        meter.silence(true);
        ProbeException e = assertThrows(ProbeException.class, sdm::sample);
        assertEquals(ProbeException.Cause.TIMEOUT, e.failure());
        assertTrue(e.getMessage().startsWith("SDM120 at /dev/ttyFAKE0/1: TIMEOUT: no answer to function 0x04"),
                e.getMessage());
        meter.silence(false);
        meter.forceException(2);
        e = assertThrows(ProbeException.class, sdm::sample);
        assertTrue(e.getMessage().contains("exception response 0x84, code 2 (ILLEGAL DATA ADDRESS)"), e.getMessage());
        meter.forceException(0);
        assertEquals(QcFlags.REINITIALISED, sdm.sample().get(0).qc());
        assertEquals(3, sdm.counters().crcErrors());
        assertEquals(3, sdm.counters().failures());
        assertEquals(1, sdm.counters().busErrors());
    }

    @Test
    void aDamagedFunctionByteLeavesNoTailForTheRetry() throws ProbeException {
        SdmFake meter = new SdmFake(clock, SdmEnergyMeter.Variant.SDM120, 1);
        FakeSerialLink link = new FakeSerialLink(clock, SdmEnergyMeter.Variant.SDM120.defaultSerial, meter, false);
        SdmEnergyMeter sdm = new SdmEnergyMeter(link, SdmEnergyMeter.Config.defaults(SdmEnergyMeter.Variant.SDM120),
                clock);
        meter.set(230f, 750f, 3f);
        // 04 becomes 84 on the cable: the master takes it for a 5-byte exception frame, the CRC fails, and the
        // frame's last 4 bytes are still arriving; they must not be read as the start of the retry's answer
        meter.corruptNextReplies(1, 1, 0x80);
        List<Measurement> m = sdm.sample();
        assertEquals(750.0, m.get(0).value());
        assertEquals(QcFlags.CRC_RETRIED, m.get(0).qc());
        assertEquals(1, sdm.counters().crcErrors());
    }

    @Test
    void garbageOnTheLineIsACrcErrorNotACrash() throws ProbeException {
        SdmFake meter = new SdmFake(clock, SdmEnergyMeter.Variant.SDM120, 1);
        FakeSerialLink link = new FakeSerialLink(clock, SdmEnergyMeter.Variant.SDM120.defaultSerial, meter, false);
        SdmEnergyMeter sdm = new SdmEnergyMeter(link, SdmEnergyMeter.Config.defaults(SdmEnergyMeter.Variant.SDM120),
                clock);
        meter.silence(true);
        meter.noise(new byte[] {1, 4, 4, 0x55, 0x55, 0x55, 0x55, 0x12, 0x34, 0x56});
        // the noise is already in the buffer when the request goes out: discarded, then nothing comes
        assertEquals(ProbeException.Cause.TIMEOUT, assertThrows(ProbeException.class, sdm::sample).failure());
    }

    @Test
    void stuckPowerIsFlaggedButAnIdleFanIsNot() throws ProbeException {
        SdmFake meter = new SdmFake(clock, SdmEnergyMeter.Variant.SDM120, 1);
        FakeSerialLink link = new FakeSerialLink(clock, SdmEnergyMeter.Variant.SDM120.defaultSerial, meter, false);
        SdmEnergyMeter sdm = new SdmEnergyMeter(link, new SdmEnergyMeter.Config(SdmEnergyMeter.Variant.SDM120, 1,
                Duration.ofMillis(500), 3), clock);
        meter.set(230f, 0f, 10f);
        for (int i = 0; i < 5; i++) {
            assertEquals(0, sdm.sample().get(0).qc()); // fan off: exactly 0 W is no fault
        }
        meter.set(230f, 1499.5f, 10f);
        sdm.sample();
        sdm.sample();
        assertEquals(QcFlags.STUCK_VALUE, sdm.sample().get(0).qc());
    }

    @Test
    void outOfRangeAndAnEnergyCounterRunningBackwardsAreFlagged() throws ProbeException {
        SdmFake meter = new SdmFake(clock, SdmEnergyMeter.Variant.SDM120, 1);
        FakeSerialLink link = new FakeSerialLink(clock, SdmEnergyMeter.Variant.SDM120.defaultSerial, meter, false);
        SdmEnergyMeter sdm = new SdmEnergyMeter(link, new SdmEnergyMeter.Config(SdmEnergyMeter.Variant.SDM120, 1,
                Duration.ofMillis(500), 0), clock);
        meter.set(400f, 30_000f, 10f);
        List<Measurement> m = sdm.sample();
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(0).qc());
        assertEquals(0, m.get(1).qc());
        assertEquals(QcFlags.OUT_OF_RANGE, m.get(2).qc());
        meter.set(230f, 100f, 9.5f);
        assertEquals(QcFlags.OUT_OF_RANGE, sdm.sample().get(1).qc());
        meter.set(230f, 100f, 9.6f);
        assertEquals(0, sdm.sample().get(1).qc());
    }
}
