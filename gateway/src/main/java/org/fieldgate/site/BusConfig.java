package org.fieldgate.site;

import java.util.Map;

/**
 * A bus of the gateway: {@code i2c}, {@code modbus-rtu} (RS-485), {@code sdi12} or {@code gpio}.
 *
 * @param device   the Linux device, e.g. /dev/i2c-1, /dev/ttyUSB0, /dev/gpiochip0
 * @param settings serial settings as written (baud, parity, stop-bits)
 */
public record BusConfig(String name, String type, String device, Map<String, String> settings) {
}
