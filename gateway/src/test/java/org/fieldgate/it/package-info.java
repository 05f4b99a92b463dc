/**
 * Acceptance tests of the fieldgate gateway against real processes: Mosquitto ({@code /usr/sbin/mosquitto}),
 * InfluxDB 1.6 ({@code /usr/bin/influxd}) and the gateway itself as a child JVM, all on 127.0.0.1 with fresh
 * ports and directories under {@code gateway/target/it-work}. No Docker, no mocks.
 *
 * <p>Run one: {@code mvn -q -B -pl gateway test -Dtest=GatewayKillTest -Dsurefire.failIfNoSpecifiedTests=false};
 * all of them: {@code -Dtest='org.fieldgate.it.*Test'} (about 4 minutes on 2 cores). Add
 * {@code -Dfieldgate.it.keep=true} to keep logs, spool, broker and InfluxDB data of every process for a post-mortem.
 *
 * <p>Each test states its expectations exactly: the independent probe ({@link org.fieldgate.testkit.SenmlPublisher})
 * books every reading the broker acknowledged, and InfluxDB must then hold exactly those readings, bit for bit.
 */
package org.fieldgate.it;
