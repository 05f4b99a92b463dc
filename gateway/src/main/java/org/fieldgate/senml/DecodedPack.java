package org.fieldgate.senml;

import org.fieldgate.reading.Reading;

import java.util.List;

/** What one MQTT message became: the readings to keep and the parts refused, each with its reason. */
public record DecodedPack(List<Reading> readings, List<Rejection> rejections) {
}
