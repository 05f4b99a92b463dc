/**
 * Test kit for acceptance tests with real processes: {@link org.fieldgate.testkit.MosquittoProcess},
 * {@link org.fieldgate.testkit.InfluxdProcess} and {@link org.fieldgate.testkit.GatewayProcess} start, stop (SIGTERM),
 * kill (SIGKILL) and restart their process by PID on the same port and data; {@link org.fieldgate.testkit.SenmlPublisher}
 * is an independent Paho probe that keeps exact books of acknowledged readings; {@link org.fieldgate.testkit.LandedReadings}
 * compares what reached InfluxDB with what was sent; {@link org.fieldgate.testkit.PrometheusProcess} is a real Prometheus
 * server scraping the gateway. Every wait is a bounded {@link org.fieldgate.testkit.Poll}.
 * {@link org.fieldgate.testkit.TestkitSelfTest} proves the kit without the gateway. A test class that starts any of
 * these processes carries {@link org.fieldgate.testkit.StartsProcesses} (one that starts the whole gateway in its own
 * JVM: {@link org.fieldgate.testkit.StartsApplication}), which keeps it out of the fast lane ({@code mvn test -Pfast});
 * {@link org.fieldgate.testkit.FastLaneTagsTest} fails when it is missing.
 */
package org.fieldgate.testkit;
