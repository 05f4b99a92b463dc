package org.fieldgate.calc.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import org.fieldgate.calc.cli.CalcCli;

/** {@code calc flux --instrument} run in-process, and its JSON lines. */
final class InstrumentRuns {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InstrumentRuns() {
    }

    record Run(int code, String out, String err) {
        List<JsonNode> lines() throws IOException {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.strip().split("\n")) {
                nodes.add(JSON.readTree(line));
            }
            return nodes;
        }

        JsonNode line(String closure, String gas) throws IOException {
            for (JsonNode n : lines()) {
                if (n.get("closure_id").asText().equals(closure) && n.get("gas").asText().equals(gas)) {
                    return n;
                }
            }
            throw new AssertionError("no line for " + closure + "/" + gas + " in " + out);
        }
    }

    static Run calc(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CalcCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void assertWithin(double expected, JsonNode actual, double rel, String what) {
        assertTrue(actual != null && actual.isNumber(), what + " missing: " + actual);
        double a = actual.asDouble();
        assertTrue(Math.abs(a - expected) <= rel * Math.abs(expected),
                String.format(Locale.ROOT, "%s = %.6g, expected %.6g (off by %.3f %%)", what, a, expected,
                        100 * (a - expected) / expected));
    }


    static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** LI-COR's soil flux equation (docs/science.md §1.3), R = 8.314 as LI-COR, written out independently. */
    static double licorFlux(double volumeL, double areaCm2, double pKpa, double tC, double w0MmolMol,
                            double slopePerS) {
        return 10 * volumeL * 1000 * pKpa * (1 - w0MmolMol / 1000) / (8.314 * areaCm2 * (tC + 273.15)) * slopePerS;
    }

    /** A bad file: exit 1, nothing on stdout and exactly one line on stderr, which is returned. */
    static String bad(String... args) {
        Run r = calc(args);
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        return r.err().strip();
    }

    /** CLOSURES.csv with these rows under its header. */
    static Path closures(Path dir, String... rows) throws IOException {
        return write(dir, "closures.csv", "closure_id,start,end,volume_l,area_cm2,pressure_kpa,temp_c\n"
                + String.join("\n", rows) + "\n");
    }

    /**
     * A closed-form closure: one gas's dry mole fraction against seconds since lid closing, and its slope at closing
     * (what the calculator must recover).
     */
    record Curve(DoubleUnaryOperator at, double slopeAtStart) {
        static Curve linear(double c0, double slopePerS) {
            return new Curve(t -> c0 + slopePerS * t, slopePerS);
        }

        /** Hutchinson-Mosier: C(t) = Cx + (C0 - Cx) e^(-k t), dC/dt at closing = k (Cx - C0). */
        static Curve saturating(double c0, double cx, double kPerS) {
            return new Curve(t -> cx + (c0 - cx) * Math.exp(-kPerS * t), kPerS * (cx - c0));
        }

        /** This curve from {@code startS} to {@code endS} (file seconds), {@code ambient} outside. */
        DoubleUnaryOperator within(double startS, double endS, double ambient) {
            return t -> t >= startS && t <= endS ? at.applyAsDouble(t - startS) : ambient;
        }
    }
}
