package org.fieldgate.acquire.gmp252;

import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.modbus.ModbusSlaveFake;

/**
 * A GMP252 as its user guide's Modbus reference describes it (M211897EN-D, appendix A): slave 240 by default,
 * function 03 only for these registers, floats least significant word first, table 52 measurement registers at
 * 0x0000-0x0005, table 54 status at 0x0800-0x0801. Anything else is exception 02.
 */
public final class Gmp252Fake extends ModbusSlaveFake {

    public Gmp252Fake(VirtualClock clock, int slave, long charNanos) {
        super(clock, slave, charNanos);
        set(415.5f, 20.0f, 20.0f);
        status(0, 0);
    }

    public void set(float co2Ppm, float compensationT, float measuredT) {
        putFloat(holding, 0x0000, co2Ppm, false);
        putFloat(holding, 0x0002, compensationT, false);
        putFloat(holding, 0x0004, measuredT, false);
    }

    public void status(int device, int co2) {
        holding.put(0x0800, device);
        holding.put(0x0801, co2);
    }
}
