package org.fieldgate.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fieldgate.acquire.chamber.ClosureQc;
import org.fieldgate.calc.flux.FluxQc;
import org.junit.jupiter.api.Test;

/**
 * The {@code qc} and {@code closure_qc} fields of the closure and flux points are a flag's position in its enum
 * ({@link LivePoints#bits}); they are stored in InfluxDB, so a new flag goes at the end and none moves.
 */
class ClosureAndFluxQcBitsTest {
    @Test
    void closureFlagsKeepTheirStoredBits() {
        Map<String, Long> expected = new LinkedHashMap<>();
        String[] names = {"LID_CLOSE_FAILED", "LID_OPEN_FAILED", "NO_SAMPLES", "MISSING_SAMPLES", "SAMPLE_GAP",
                "SAMPLE_QC", "STOPPED"};
        for (int i = 0; i < names.length; i++) {
            expected.put(names[i], 1L << i);
        }
        Map<String, Long> actual = new LinkedHashMap<>();
        for (ClosureQc q : ClosureQc.values()) {
            actual.put(q.name(), LivePoints.bits(EnumSet.of(q)));
        }
        assertEquals(expected, actual);
    }

    @Test
    void fluxFlagsKeepTheirStoredBits() {
        Map<String, Long> expected = new LinkedHashMap<>();
        String[] names = {"LOW_R2", "TOO_FEW_POINTS", "GAPS", "AMBIENT_MISMATCH", "CO2_DROPS", "NEGATIVE_CURVATURE",
                "CURVATURE_OUT_OF_RANGE", "CX_BELOW_C0", "BELOW_MDF", "TEMPERATURE_DRIFT", "PRESSURE_DRIFT", "DRY_ASSUMED"};
        for (int i = 0; i < names.length; i++) {
            expected.put(names[i], 1L << i);
        }
        Map<String, Long> actual = new LinkedHashMap<>();
        for (FluxQc q : FluxQc.values()) {
            actual.put(q.name(), LivePoints.bits(EnumSet.of(q)));
        }
        assertEquals(expected, actual);
        assertEquals(0b101L, LivePoints.bits(EnumSet.of(FluxQc.LOW_R2, FluxQc.GAPS)));
    }
}
