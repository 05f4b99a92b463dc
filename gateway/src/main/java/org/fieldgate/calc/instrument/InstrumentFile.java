package org.fieldgate.calc.instrument;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A reader of one analyser file format (docs/instruments.md). Stateless. */
public interface InstrumentFile {

    /** The name given to {@code --instrument}. */
    String name();

    /**
     * Reads the whole file.
     *
     * @param path        the file
     * @param displayName how errors name it
     * @param zone        the instrument clock's zone from {@code --timezone}, or null; a file that states its own
     *                    zone uses that and fails when {@code zone} differs
     */
    InstrumentData read(Path path, String displayName, ZoneId zone) throws InstrumentFileException;

    /** Readers by name; {@code csv} (the calculator's own format) is not among them. */
    static Map<String, InstrumentFile> all() {
        Map<String, InstrumentFile> m = new TreeMap<>();
        for (InstrumentFile f : List.of(Li7810Data.li7810(), Li7810Data.li7820(), new Toa5(), new Ugga(),
                new Egm5(), new Picarro(), new Li81x(), new Li8200Json(), new Li82z())) {
            m.put(f.name(), f);
        }
        return m;
    }

    static InstrumentFile byName(String name) {
        return all().get(name.toLowerCase(Locale.ROOT));
    }
}
