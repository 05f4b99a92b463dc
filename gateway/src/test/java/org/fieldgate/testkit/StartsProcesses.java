package org.fieldgate.testkit;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class that starts processes: mosquitto, influxd, the gateway as a child JVM, chromium, promtool or
 * Prometheus, openssl, dpkg, systemd-notify, a shell script, directly or through this kit ({@link MosquittoProcess},
 * {@link InfluxdProcess}, {@link GatewayProcess}, {@link HeadlessChromium}, {@link PrometheusProcess}, {@link Pki},
 * {@link Command}, ...), or a Jazzer {@code @FuzzTest} (Jazzer attaches its agent from a child JVM). The fast lane
 * ({@code mvn -B test -Pfast}, {@code gateway/fieldgate test --fast}) leaves such classes out; CI
 * ({@code gateway/fieldgate test}) runs them. {@link FastLaneTagsTest}, itself in the fast lane, fails on a
 * test class that starts a process without this annotation, and on one with it that starts none.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(StartsProcesses.TAG)
public @interface StartsProcesses {
    /** The JUnit tag; the {@code fast} profile in gateway/pom.xml excludes it by this name. */
    String TAG = "starts-processes";
}
