package org.fieldgate.calc.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.fieldgate.calc.InvalidInputException;

/** --name value / --name=value options of one command. */
final class CliOptions {
    private final Map<String, String> values;

    private CliOptions(Map<String, String> values) {
        this.values = values;
    }

    static CliOptions parse(String[] args, Set<String> allowed) throws UsageException {
        return parse(args, allowed, Set.of());
    }

    /** {@code switches} are options without a value (present or not). */
    static CliOptions parse(String[] args, Set<String> allowed, Set<String> switches) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (switches.contains(name)) {
                value = "true";
            } else if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            if (!allowed.contains(name) && !switches.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (values.put(name, value) != null) {
                throw new UsageException("--" + name + " given twice");
            }
        }
        return new CliOptions(values);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String required(String name) throws UsageException {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    double requiredNumber(String name) throws UsageException {
        return parse(name, required(name));
    }

    double number(String name, double fallback) throws UsageException {
        String v = values.get(name);
        return v == null ? fallback : parse(name, v);
    }

    int integer(String name, int fallback) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": '" + v + "' is not a whole number");
        }
    }

    List<Double> numberList(String name, List<Double> fallback) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        List<Double> list = new ArrayList<>();
        for (String part : v.split(",")) {
            list.add(parse(name, part));
        }
        return list;
    }

    private static double parse(String name, String v) throws UsageException {
        try {
            double d = Double.parseDouble(v.strip());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": '" + v + "' is not a number");
        }
    }

    /** Builds a record, turning its complaint about a field into one about the option that set it. */
    <T> T build(Map<String, String> optionOfField, Supplier<T> build) throws UsageException {
        try {
            return build.get();
        } catch (InvalidInputException e) {
            String option = optionOfField.get(e.field());
            throw new UsageException((option != null ? "--" + option : e.field()) + ": " + e.requirement()
                    + ", got " + e.value());
        }
    }
}
