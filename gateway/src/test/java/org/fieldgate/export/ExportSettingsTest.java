package org.fieldgate.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micronaut.core.value.MapPropertyResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.InvalidSettingException;
import org.fieldgate.config.SettingsFactory;
import org.junit.jupiter.api.Test;

class ExportSettingsTest {

    @Test
    void defaultsExportDailyAtTwoIntoAnOutboxBesideTheSpool() {
        GatewaySettings.Export e = SettingsFactory.read(new MapPropertyResolver(Map.of(
                "fieldgate.spool.dir", "/var/lib/fieldgate/spool"))).export();
        assertEquals("0 2 * * *", e.schedule().toString());
        assertEquals(Path.of("/var/lib/fieldgate/outbox"), e.outbox());
        assertNull(e.endpoint());
        assertNull(e.token());
        assertEquals(Duration.ofDays(1), e.window());
        assertEquals("csv", e.format());
    }

    @Test
    void badValuesAreRefusedOneLineEachNamingPropertyValueAndWhatIsAllowed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> SettingsFactory.read(
                new MapPropertyResolver(Map.of(
                        "fieldgate.export.schedule", "0 25 * * *",
                        "fieldgate.export.window", "7h",
                        "fieldgate.export.format", "xml",
                        "fieldgate.export.endpoint", "ftp://engine.example/in"))));
        assertEquals(List.of(
                "fieldgate.export.schedule = '0 25 * * *': expected a cron expression 'minute hour day-of-month month "
                        + "day-of-week' (e.g. 0 2 * * *) or off; hour '25': expected *, a number from 0 to 23, a range "
                        + "a-b, a list a,b or a step */n",
                "fieldgate.export.endpoint = 'ftp://engine.example/in': expected a URL with scheme https or http and a "
                        + "host, e.g. https://127.0.0.1:8086",
                "fieldgate.export.window = '7h': expected a duration that divides a day evenly, e.g. 15m, 1h, 6h or 1d",
                "fieldgate.export.format = 'xml': expected csv or json"), e.problems());
    }

    @Test
    void offMeansNoSchedule() {
        assertNull(SettingsFactory.read(new MapPropertyResolver(Map.of("fieldgate.export.schedule", "off")))
                .export().schedule());
    }
}
