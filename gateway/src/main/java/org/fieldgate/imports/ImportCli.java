package org.fieldgate.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.context.ApplicationContext;
import org.fieldgate.calc.instrument.InstrumentData;
import org.fieldgate.calc.instrument.InstrumentFile;
import org.fieldgate.calc.instrument.InstrumentFileException;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.InvalidSettingException;
import org.fieldgate.config.SettingsFactory;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.ImportStore;
import org.fieldgate.store.SpoolSpace;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code fieldgate import --instrument NAME --input FILE [--device ID] [--timezone ZONE]}: an analyser's own file
 * (any format of the {@code calc.instrument} registry) into the spool the gateway's settings name, as readings of one
 * device of this site ({@link InstrumentReadings}), which then travel like live ones: InfluxDB, the dashboards, the
 * hourly counts of the ledger, the export. Safe while the gateway runs on that spool ({@link ImportStore}), and
 * idempotent: a file imported again adds nothing, an overlapping one only what lies outside what was imported.
 * The whole file is read and checked before anything is committed, so a bad file commits nothing.
 * Exit codes: 0 done, 1 bad file or the spool refused (full, not writable), 2 bad setting, 64 bad usage.
 */
public final class ImportCli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_SETTING = 2;
    public static final int USAGE = 64;
    /** Readings per transaction: the gateway's own commits wait for at most one of them. */
    static final int CHUNK_READINGS = 5_000;
    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    static final String USAGE_TEXT = String.join("\n",
            "usage: import --instrument NAME --input FILE [--device ID] [--timezone ZONE]",
            "         commits the file's samples to the spool of the gateway's settings (fieldgate.spool.dir) as",
            "         readings of device ID at site fieldgate.site; they reach InfluxDB like live readings",
            "         NAME: " + String.join(", ", InstrumentFile.all().keySet()) + " (docs/instruments.md)",
            "         channels: co2_dry ppm, ch4_dry ppb, n2o_dry ppb (dry mole fractions), h2o mmol/mol, temp Cel,",
            "           pressure kPa, as far as the file has them; a sample with DIAG != 0 is flagged STATUS_WARNING",
            "         ID: default the instrument model the file names, as a device name (LI-7810 -> li-7810)",
            "         ZONE: the instrument clock's zone when the file does not state it (e.g. Europe/Berlin)",
            "         again or overlapping: samples of a device and channel inside a time span already imported are",
            "           left out, as are those whose series and time the spool knows from the last 7 days",
            "         safe while the gateway runs on the same spool",
            "         -> one JSON line: file, instrument, site, device, samples, readings, added, already_imported,",
            "            already_in_spool, first, last",
            "         exit: 0 done; 1 bad file (one line: file:line: column: problem; nothing committed) or the",
            "               spool refused; 2 bad setting; 64 bad usage");

    private ImportCli() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.exit(run(args, out, System.err));
    }

    /** Where the settings come from: application.yml, -D options, FIELDGATE_* variables (a test gives its own). */
    @FunctionalInterface
    interface Settings {
        GatewaySettings read() throws InvalidSettingException;
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, () -> {
            try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).build()) {
                context.getEnvironment().start();
                return SettingsFactory.read(context.getEnvironment());
            }
        }, out, err);
    }

    static int run(String[] args, Settings settingsSource, PrintStream out, PrintStream err) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h") || a.equals("help")) {
                out.println(USAGE_TEXT);
                return OK;
            }
            if (!List.of("--instrument", "--input", "--device", "--timezone").contains(a)) {
                err.println("import: unknown argument '" + a + "'\n" + USAGE_TEXT);
                return USAGE;
            }
            if (i + 1 >= args.length) {
                err.println("import: " + a + " needs a value\n" + USAGE_TEXT);
                return USAGE;
            }
            if (o.put(a.substring(2), args[++i]) != null) {
                err.println("import: " + a + " given twice\n" + USAGE_TEXT);
                return USAGE;
            }
        }
        if (!o.containsKey("instrument") || !o.containsKey("input")) {
            err.println("import: --instrument and --input are required\n" + USAGE_TEXT);
            return USAGE;
        }
        InstrumentFile reader = InstrumentFile.byName(o.get("instrument"));
        if (reader == null) {
            err.println("import: --instrument '" + o.get("instrument") + "': not one of "
                    + String.join(", ", InstrumentFile.all().keySet()));
            return USAGE;
        }
        ZoneId zone = null;
        if (o.containsKey("timezone")) {
            try {
                zone = ZoneId.of(o.get("timezone"));
            } catch (DateTimeException e) {
                err.println("import: --timezone '" + o.get("timezone") + "' is not a time-zone name (e.g. Europe/Berlin)");
                return USAGE;
            }
        }
        String device = o.get("device");
        if (device != null && !DEVICE.matcher(device).matches()) {
            err.println("import: --device '" + device + "' is not a device name: 1-64 letters, digits, '_', '.' or '-'");
            return USAGE;
        }
        GatewaySettings settings;
        try {
            settings = settingsSource.read();
        } catch (InvalidSettingException e) {
            err.println(e.getMessage());
            return BAD_SETTING;
        }
        String input = o.get("input");
        InstrumentData data;
        try {
            data = reader.read(Path.of(input), input, zone);
        } catch (InstrumentFileException e) {
            err.println(e.getMessage());
            return FAILED;
        }
        if (device == null) {
            device = InstrumentReadings.defaultDevice(data, reader.name());
        }
        List<Reading> readings = InstrumentReadings.of(data, settings.site(), device);
        ObjectNode line = new ObjectMapper().createObjectNode();
        line.put("file", input);
        line.put("instrument", reader.name());
        line.put("site", settings.site());
        line.put("device", device);
        line.put("samples", data.samples().size());
        line.put("readings", readings.size());
        if (!data.samples().isEmpty()) {
            line.put("first", data.samples().get(0).time().toString());
            line.put("last", data.samples().get(data.samples().size() - 1).time().toString());
        }
        ImportStore.Outcome done = new ImportStore.Outcome(0, 0, 0);
        try (ImportStore spool = new ImportStore(settings.spool().dir())) {
            long receivedNs = Instant.now().toEpochMilli() * 1_000_000L;
            for (int from = 0; from < readings.size(); from += CHUNK_READINGS) {
                List<Reading> chunk = readings.subList(from, Math.min(readings.size(), from + CHUNK_READINGS));
                long used = spool.usedBytes();
                if (used + SpoolSpace.estimatedBytes(chunk) > settings.spool().maxBytes()) {
                    err.println("import " + input + ": the spool " + settings.spool().dir() + " is full (" + used + " of "
                            + settings.spool().maxBytes() + " bytes, fieldgate.spool.max-bytes) after " + done.added()
                            + " of " + readings.size() + " readings; run the same command again once the gateway has "
                            + "forwarded what waits (it adds only what is missing)");
                    return FAILED;
                }
                done = done.plus(spool.commit(chunk, input, receivedNs));
            }
        } catch (RuntimeException e) {
            err.println("import " + input + " stopped after " + done.added() + " of " + readings.size()
                    + " readings committed (the same command again adds the rest): " + e.getMessage());
            return FAILED;
        }
        line.put("added", done.added());
        line.put("already_imported", done.alreadyImported());
        line.put("already_in_spool", done.alreadyKnown());
        line.put("spool", settings.spool().dir().toString());
        out.println(line);
        return OK;
    }
}
