package org.fieldgate.site;

import java.util.List;

/**
 * What one chip driver declares for the site file: the sensor models it serves and the settings a probe of them
 * accepts under {@code settings:}. Each chip's registration in its own folder ({@code acquire/<chip>/}) implements
 * it (through {@code acquire.chip.ChipRegistration}) and is listed in
 * {@code META-INF/services/org.fieldgate.site.ChipSettings}; {@link DriverSettings} reads them with
 * {@link java.util.ServiceLoader}, so the checker knows every chip without importing any.
 */
public interface ChipSettings {

    /** The model ids (file names under {@code models/}) this driver serves. */
    List<String> models();

    /** The settings a probe of these models accepts, in the order an error lists them. */
    List<DriverSettings.Setting> settings();
}
