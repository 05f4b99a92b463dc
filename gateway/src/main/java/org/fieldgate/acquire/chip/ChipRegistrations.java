package org.fieldgate.acquire.chip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.fieldgate.site.ChipSettings;

/**
 * The chips this build knows, by model id: every {@link ChipRegistration} listed in
 * {@code META-INF/services/org.fieldgate.site.ChipSettings}. ServiceLoader rather than Micronaut beans because the
 * site checker ({@code config-check}, the site tests) and the registrations are plain Java used without an
 * application context; the one line in the services file is checked against the registration classes by
 * {@code ChipRegistrationsTest}.
 */
public final class ChipRegistrations {
    private final Map<String, ChipRegistration> byModel;

    private ChipRegistrations(Map<String, ChipRegistration> byModel) {
        this.byModel = byModel;
    }

    /** The registrations on the class path; a listed class that is no ChipRegistration, or a model twice, fails. */
    public static ChipRegistrations installed() {
        List<ChipRegistration> chips = new ArrayList<>();
        for (ChipSettings s : ServiceLoader.load(ChipSettings.class, ChipRegistrations.class.getClassLoader())) {
            if (!(s instanceof ChipRegistration chip)) {
                throw new IllegalStateException(s.getClass().getName() + " is listed as a chip but is no "
                        + ChipRegistration.class.getName() + ": it would be checked but never built");
            }
            chips.add(chip);
        }
        return of(chips);
    }

    public static ChipRegistrations of(List<ChipRegistration> chips) {
        Map<String, ChipRegistration> byModel = new TreeMap<>();
        for (ChipRegistration chip : chips) {
            for (String model : chip.models()) {
                ChipRegistration other = byModel.putIfAbsent(model, chip);
                if (other != null) {
                    throw new IllegalStateException("model " + model + " is served by two chip registrations: "
                            + other.getClass().getName() + " and " + chip.getClass().getName());
                }
            }
        }
        return new ChipRegistrations(Map.copyOf(byModel));
    }

    /** The registration serving {@code modelId}, or null. */
    public ChipRegistration find(String modelId) {
        return byModel.get(modelId);
    }

    /** Every model id served, sorted. */
    public List<String> models() {
        return byModel.keySet().stream().sorted().toList();
    }

    /** Every registration once, in model order. */
    public List<ChipRegistration> all() {
        return byModel.values().stream().distinct().sorted((a, b) -> a.models().get(0).compareTo(b.models().get(0)))
                .toList();
    }
}
