package org.fieldgate.calc.instrument;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.fieldgate.calc.flux.Gas;

/**
 * One analyser record, as the reader found it.
 *
 * @param line        1-based line of the record in its file
 * @param time        when it was measured (the file's clock, made an instant)
 * @param dry         dry mole fraction per gas the file carries, in {@link Gas#moleFractionUnit()}
 * @param h2oMmolMol  water-vapour mole fraction W, mmol mol-1; NaN when the file has no H2O
 * @param tempC       chamber air temperature, degC; NaN when the file has none (an analyser's cell temperature
 *                    is not the chamber's)
 * @param pressureKpa chamber air pressure, kPa; NaN when the file has none
 * @param diagnostic  the instrument's diagnostic/status word, 0 = all good
 */
public record InstrumentSample(int line, Instant time, Map<Gas, Double> dry, double h2oMmolMol, double tempC,
                               double pressureKpa, long diagnostic) {
    public InstrumentSample {
        dry = dry.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(dry));
    }
}
