package org.fieldgate.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;

/** What the dashboard query test counts as an error and as an empty answer, on a real influxd. */
@StartsProcesses
class DashboardQueriesTest {
    @Test
    void refusedQueriesFailNamingTheQueryAndOnlyNonNullValuesCount() {
        try (InfluxdProcess influx = InfluxdProcess.started();
             DashboardQueries queries = new DashboardQueries(influx.url(), "dash", "10s")) {
            influx.createDatabase("dash");
            influx.writeLine("dash", "reading,site=a,device=d,channel=c value=1.5,qc=0i 1700000000000000000\n"
                    + "reading,site=a,device=d,channel=c qc=4i 1700000001000000000");

            assertEquals(new DashboardQueries.Answer(1, 3), queries.run("SELECT \"value\", \"qc\" FROM \"reading\""));
            assertEquals(new DashboardQueries.Answer(0, 0), queries.run("SELECT \"valeu\" FROM \"reading\""));
            assertEquals(new DashboardQueries.Answer(0, 0), queries.run("SELECT \"value\" FROM \"reading\" WHERE "
                    + "time >= 1800000000000ms"));
            AssertionError parse = assertThrows(AssertionError.class, () -> queries.run("SELEC value FROM reading"));
            assertTrue(parse.getMessage().contains("SELEC value FROM reading"), parse.getMessage());
            AssertionError type = assertThrows(AssertionError.class,
                    () -> queries.run("SELECT mean(\"value\") FROM \"reading\" GROUP BY time(bad)"));
            assertTrue(type.getMessage().contains("time(bad)"), type.getMessage());
        }
    }
}
