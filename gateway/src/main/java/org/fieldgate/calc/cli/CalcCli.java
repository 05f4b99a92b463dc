package org.fieldgate.calc.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Offline calculators on CSV files, JSON on stdout (docs/science.md §1-§3): dispatches to {@link FluxCommand},
 * {@link DecompositionCommand} and {@link MineralisationCommand}, prints usage. Exit codes: 0 done, 2 output
 * written but a closure has no flux or a plausibility check failed, 1 bad input (the message names file, line and
 * column), 64 bad usage. Run as
 * {@code java -cp fieldgate-gateway.jar org.fieldgate.calc.cli.CalcCli flux --input closures.csv --volume-cm3 V
 * --area-cm2 S}; {@code --help} prints the options.
 */
public final class CalcCli {
    public static final int OK = 0;
    public static final int BAD_INPUT = 1;
    public static final int USAGE = 64;

    /** Output written, but a closure has no flux or a plausibility check failed; stderr says which. */
    public static final int PARTIAL = 2;

    private static final Map<String, String> COMMAND_USAGE = Map.of("flux", FluxCommand.USAGE,
            "decomposition", DecompositionCommand.USAGE, "mineralisation", MineralisationCommand.USAGE,
            "mineralization", MineralisationCommand.USAGE);

    private static final String USAGE_TEXT = String.join("\n", FluxCommand.USAGE, DecompositionCommand.USAGE,
            MineralisationCommand.USAGE,
            "Empty cells and NA mean 'not measured'. calc COMMAND --help prints one command's usage.",
            "Exit: 0 ok, 1 bad input, 2 written but some result is missing or implausible, 64 bad usage.");

    private final PrintStream out;
    private final PrintStream err;
    private final CliJson json = new CliJson();

    private CalcCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.exit(run(args, out, System.err));
    }

    /** Runs one command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new CalcCli(out, err).dispatch(args);
    }

    private int dispatch(String[] args) {
        String command = args.length > 0 ? args[0] : "";
        try {
            if (command.equals("--help") || command.equals("-h") || command.equals("help")) {
                out.println(USAGE_TEXT);
                return OK;
            }
            String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
            if (COMMAND_USAGE.containsKey(command) && wantsHelp(rest)) {
                out.println(COMMAND_USAGE.get(command));
                return OK;
            }
            int code = switch (command) {
                case "flux" -> new FluxCommand(out, err, json).run(rest);
                case "decomposition" -> new DecompositionCommand(out, err, json).run(rest);
                case "mineralisation", "mineralization" -> new MineralisationCommand(out, err, json).run(rest);
                case "" -> throw new UsageException("no command given");
                default -> throw new UsageException("unknown command '" + command + "'");
            };
            out.flush();
            return code;
        } catch (UsageException e) {
            err.println("calc: " + e.getMessage());
            err.println(COMMAND_USAGE.getOrDefault(command, USAGE_TEXT));
            return USAGE;
        } catch (CsvFile.InputException e) {
            err.println("calc " + command + ": " + e.getMessage());
            return BAD_INPUT;
        }
    }

    private static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }
}
