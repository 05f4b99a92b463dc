package org.fieldgate.acquire.sdm;

import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.modbus.ModbusSlaveFake;

/**
 * An Eastron SDM120 or SDM630 as their Modbus protocol documents describe them: input registers (function 04)
 * holding float32 parameters high word first, at the 0-based addresses of the input register table (every
 * parameter of the table present; registers outside it are exception 02). Function 03 is not mapped here
 * (holding registers are the meters' settings).
 */
public final class SdmFake extends ModbusSlaveFake {
    private final int powerRegister;

    public SdmFake(VirtualClock clock, SdmEnergyMeter.Variant variant, int slave) {
        super(clock, slave, variant.defaultSerial.charNanos());
        this.powerRegister = variant == SdmEnergyMeter.Variant.SDM120 ? 0x000C : 0x0034;
        // the whole parameter range of the table, 0x0000-0x0179, reads as 0.0 unless set
        for (int r = 0; r < 0x017A; r++) {
            input.put(r, 0);
        }
        set(230.1f, 1500f, 12.5f);
    }

    public void set(float voltage, float powerW, float importKwh) {
        putFloat(input, 0x0000, voltage, true);
        putFloat(input, powerRegister, powerW, true);
        putFloat(input, 0x0048, importKwh, true);
    }
}
