/**
 * Readers of the files research analysers write (docs/instruments.md), one class per format named after it with
 * its document cited at the top, all behind {@link org.fieldgate.calc.instrument.InstrumentFile}. A reader turns a
 * file into {@link org.fieldgate.calc.instrument.InstrumentSample}s on one clock (instants) with gases as dry mole
 * fractions; it never fits anything. Plain Java, like the rest of {@code org.fieldgate.calc}.
 */
package org.fieldgate.calc.instrument;
