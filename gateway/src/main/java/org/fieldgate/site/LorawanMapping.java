package org.fieldgate.site;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The site file's {@code lorawan} section: which network applications' uplinks belong to this site, and how a device
 * profile's (or one device's) decoded fields become channels with units, calibrated like a local probe's channels.
 * The format and the uplink events it reads are described in {@code org/fieldgate/lorawan/README.md}.
 *
 * @param applications ChirpStack application ids (UUIDs) or The Things Stack application ids whose uplinks are this site's
 * @param profiles     field maps by device profile (ChirpStack {@code deviceProfileName}, TTS {@code version_ids.model_id})
 * @param devices      field maps for single devices (ChirpStack {@code deviceName} or {@code devEui}, TTS
 *                     {@code device_id} or {@code dev_eui}); a device's map wins over its profile's
 */
public record LorawanMapping(List<String> applications, Map<String, FieldMap> profiles, Map<String, FieldMap> devices,
                             int line) {

    public LorawanMapping {
        applications = List.copyOf(applications);
        profiles = Map.copyOf(profiles);
        devices = Map.copyOf(devices);
    }

    /** Decoded field name to its channel; {@code line} is where the map is in the site file. */
    public record FieldMap(Map<String, Field> fields, int line) {
        public FieldMap {
            fields = Map.copyOf(fields);
        }
    }

    /**
     * One decoded field: the channel it is published as, its unit, and the calibrations that convert it (latest
     * valid-from not after the reading's day applies, as for local probes; none: the value as decoded).
     */
    public record Field(String channel, String unit, List<Calibration> calibrations) {
        public Field {
            calibrations = List.copyOf(calibrations);
        }

        public Calibration calibrationOn(LocalDate day) {
            return Calibration.inForceOn(calibrations, day);
        }
    }

    /** The map for a device: by any of its names first, then by its profile; null when neither is mapped. */
    public FieldMap mapFor(List<String> deviceNames, String profile) {
        for (String name : deviceNames) {
            if (name != null && devices.containsKey(name)) {
                return devices.get(name);
            }
        }
        return profile == null ? null : profiles.get(profile);
    }
}
