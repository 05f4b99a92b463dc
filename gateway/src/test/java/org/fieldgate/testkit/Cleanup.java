package org.fieldgate.testkit;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Closes everything a test started, newest first, even when some close fails: no mosquitto, influxd or gateway
 * outlives its test. The first failure is rethrown with the others suppressed.
 */
public final class Cleanup implements AutoCloseable {
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    public <T extends AutoCloseable> T add(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            } catch (AssertionError e) {
                if (first == null) {
                    first = new Exception("cleanup failed", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
