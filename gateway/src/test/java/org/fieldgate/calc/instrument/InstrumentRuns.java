package org.fieldgate.calc.instrument;

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
}
