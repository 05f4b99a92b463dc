package org.fieldgate.acquire;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatedProbeTest {
    @Test
    void isDeterministicAndPlausibleOverADay() {
        VirtualClock a = new VirtualClock();
        VirtualClock b = new VirtualClock();
        List<SimulatedProbe> first = List.of(SimulatedProbe.co2("SCD30", 1, a, 0), SimulatedProbe.bme280(1, a, 0),
                SimulatedProbe.moisture("vwc_10cm", 1, a, 0), SimulatedProbe.airflow(0.0125, 1, a, 0));
        List<SimulatedProbe> second = List.of(SimulatedProbe.co2("SCD30", 1, b, 0), SimulatedProbe.bme280(1, b, 0),
                SimulatedProbe.moisture("vwc_10cm", 1, b, 0), SimulatedProbe.airflow(0.0125, 1, b, 0));
        double minT = 99, maxT = -99;
        for (int i = 0; i < 24 * 6; i++) {
            for (int p = 0; p < first.size(); p++) {
                List<Measurement> x = first.get(p).sample();
                assertEquals(x, second.get(p).sample());
                for (Measurement m : x) {
                    assertEquals(0, m.qc(), m.toString());
                }
            }
            double t = first.get(1).sample().get(0).value();
            minT = Math.min(minT, t);
            maxT = Math.max(maxT, t);
            a.advance(Duration.ofMinutes(10));
            b.advance(Duration.ofMinutes(10));
        }
        assertTrue(maxT - minT > 10 && maxT - minT < 16, "diurnal air temperature range " + (maxT - minT));
    }
}
