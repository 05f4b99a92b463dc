package org.fieldgate.web;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeadLetterTextTest {
    @Test
    void invalidUtf8BytesKeepTheirValuesAndValidTextStaysReadable() {
        byte[] raw = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28, 'o', 'k', ' ', (byte) 0xc2, (byte) 0xb0, 'C', '\n', 0x1b};
        assertEquals("\\xff\\x00\\xc3(ok °C\n\\x1b", StatusController.printable(raw));
    }

    @Test
    void plainJsonIsShownAsIs() {
        String json = "[{\"n\":\"co2\",\"v\":NaN}]";
        assertEquals(json, StatusController.printable(json.getBytes(StandardCharsets.UTF_8)));
    }
}
