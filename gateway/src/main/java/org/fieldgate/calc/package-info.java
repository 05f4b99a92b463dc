/**
 * The calculators: chamber flux ({@code flux}), decomposition rates ({@code decomposition}) and the mineralisation
 * house's CO2 fixation ({@code mineralisation}), plain Java with no Micronaut, MQTT or InfluxDB, used offline by
 * {@code fieldgate calc} and live by {@code org.fieldgate.live}.
 *
 * <p>The equations, their symbols and units, the reference values and their primary sources are in the project's
 * science reference, {@code docs/science.md} at the top of the repository; every class cites the section it
 * implements as {@code docs/science.md §N.M}.
 */
package org.fieldgate.calc;
