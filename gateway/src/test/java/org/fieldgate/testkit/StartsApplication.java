package org.fieldgate.testkit;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class that starts the whole gateway in its own JVM (Micronaut's {@code EmbeddedServer},
 * {@code Micronaut.run}, {@code @MicronautTest}): its HTTP server, broker client, forwarder and timers, and waits on
 * them. Like {@link StartsProcesses} it keeps the class out of the fast lane ({@code mvn -B test -Pfast},
 * {@code gateway/fieldgate test --fast}); CI runs it. {@link FastLaneTagsTest} fails on a test class that starts
 * the application without this annotation, and on one with it that does not. A bare {@code ApplicationContext.run}
 * (settings checked at start-up, no server) is a unit test and needs none.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(StartsApplication.TAG)
public @interface StartsApplication {
    /** The JUnit tag; the {@code fast} profile in gateway/pom.xml excludes it by this name. */
    String TAG = "starts-application";
}
