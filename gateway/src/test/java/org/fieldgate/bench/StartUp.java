package org.fieldgate.bench;

/**
 * One timed gateway start: seconds from the process start to the first GET /health 200, the CPU-seconds the JVM used
 * by then (utime + stime, /proc/PID/stat; NaN if unreadable) and whether the AppCDS archive asked for was mapped.
 */
record StartUp(double seconds, double cpuSeconds, boolean archiveMapped) {
}
