package org.fieldgate.calc.flux;

/** Which curve the reported flux comes from (docs/science.md §1.4-§1.5). */
public enum FluxModel {
    /** C'(t) = a + b t; dC'/dt = b. */
    LINEAR,
    /** C'(t) = Cx + (C'0 - Cx) exp(-a (t - t0)); dC'/dt at t0 = a (Cx - C'0). */
    EXPONENTIAL,
    /** The closure could not be fitted; the estimate carries the reason. */
    NONE
}
