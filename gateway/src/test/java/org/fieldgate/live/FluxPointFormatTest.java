package org.fieldgate.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.fieldgate.acquire.chamber.AnalyserSample;
import org.fieldgate.acquire.chamber.ChamberPhase;
import org.fieldgate.acquire.chamber.ClosureEvent;
import org.fieldgate.acquire.chamber.ClosureQc;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxModel;
import org.fieldgate.calc.flux.FluxQc;
import org.fieldgate.calc.flux.FluxUncertainty;
import org.fieldgate.calc.flux.Gas;
import org.junit.jupiter.api.Test;

/**
 * The {@code flux} point's line protocol, byte for byte as dashboards, the export's fluxes.csv and the ledger read
 * it (pinned before trace gases were added: a CO2 point must not change), and the trace gases' {@code gas_flux}
 * point beside it (firmware-config/WIRE-CONTRACT.md, "Derived measurements").
 */
class FluxPointFormatTest {
    static final long T = 1_780_000_000_000_000_000L;
    static final String ID = "soil/chamber-1/2026-05-28T20:26:40Z";

    /** One dead-band sample with CH4 flagged by its own reading; the closure already says SAMPLE_QC. */
    static ClosureEvent closure() {
        AnalyserSample s = new AnalyserSample(T + 20_000_000_000L, 421.5, 12.0, 20.0, 101.3, 0,
                Map.of(Gas.CH4, new AnalyserSample.Trace(1950.2, 8)));
        return new ClosureEvent(ID, "soil", "chamber-1", new ChamberGeometry(4000, 317.8),
                ClosureEvent.Outcome.COMPLETE, null, T, T + 10_000_000_000L, T + 30_000_000_000L, T + 150_000_000_000L,
                T + 150_000_000_000L, List.of(new ClosureEvent.Sample(ChamberPhase.DEAD_BAND, s)), 60,
                EnumSet.of(ClosureQc.SAMPLE_QC), List.of("1 sample(s) carry QC bits"));
    }

    static FluxEstimate estimate() {
        return new FluxEstimate(ID, "chamber-1", FluxModel.EXPONENTIAL, "curvature significant", 2.375, 0.0125, 0.05,
                0.9987, 0.31, 0.042, 0.0002, 60, 118, 56.5, null, null, -10, -20,
                EnumSet.of(FluxQc.BELOW_MDF, FluxQc.GAPS), null);
    }

    static final FluxUncertainty U = new FluxUncertainty(0.0125, 0.03, 0.07125, 0.0723, 2.23, 2.52);

    @Test
    void theCo2FluxPointIsByteForByteAsBefore() {
        assertEquals("flux,chamber=chamber-1,model=exponential,site=soil closure_id=\"" + ID + "\",closure_qc=32i,"
                + "flags=\"GAPS|BELOW_MDF\",flux=2.375,flux_ci95_high=2.52,flux_ci95_low=2.23,"
                + "flux_g_c_m2_d=2.4623999999999997,geometry_counted=false,mdf=0.05,points=60i,qc=260i,r2=0.9987,"
                + "reason=\"curvature significant\",rmse=0.31,se=0.0125,se_combined=0.0723,systematic_rel=0.03 "
                + "1780000000000000000", LivePoints.flux(closure(), estimate(), U, false).line());
        assertEquals("flux,chamber=chamber-1,model=exponential,site=soil closure_id=\"" + ID + "\",closure_qc=32i,"
                + "flags=\"GAPS|BELOW_MDF\",flux=2.375,flux_g_c_m2_d=2.4623999999999997,mdf=0.05,points=60i,qc=260i,"
                + "r2=0.9987,reason=\"curvature significant\",rmse=0.31,se=0.0125 1780000000000000000",
                LivePoints.flux(closure(), estimate()).line());
    }

    @Test
    void aTraceGasFluxIsItsOwnMeasurementTaggedWithTheGasAndItsUnit() {
        // closure_qc: the closure's SAMPLE_QC, and NO_SAMPLES: CH4 has no sample in the observation window
        assertEquals(EnumSet.of(ClosureQc.NO_SAMPLES, ClosureQc.SAMPLE_QC), closure().qc(Gas.CH4));
        assertEquals(EnumSet.of(ClosureQc.SAMPLE_QC), closure().qc(Gas.CO2));
        assertEquals("gas_flux,chamber=chamber-1,gas=ch4,model=exponential,site=soil closure_id=\"" + ID + "\","
                + "closure_qc=36i,flags=\"GAPS|BELOW_MDF\",flux=2.375,flux_ci95_high=2.52,flux_ci95_low=2.23,"
                + "geometry_counted=true,mdf=0.05,points=60i,qc=260i,r2=0.9987,reason=\"curvature significant\","
                + "rmse=0.31,se=0.0125,se_combined=0.0723,systematic_rel=0.03,unit=\"nmol m-2 s-1\" "
                + "1780000000000000000", LivePoints.gasFlux(closure(), Gas.CH4, estimate(), U, true).line());
        assertThrows(IllegalArgumentException.class, () -> LivePoints.gasFlux(closure(), Gas.CO2, estimate(), U, true));
    }
}
