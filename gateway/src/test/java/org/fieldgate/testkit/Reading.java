package org.fieldgate.testkit;

/** One sensor reading as it should appear in InfluxDB: series key (device, channel, time in ns) and value. */
public record Reading(String device, String channel, String unit, long timeNs, double value) {

    public Key key() {
        return new Key(device, channel, timeNs);
    }

    /** What InfluxDB keys a point by (within one site and unit): re-delivered duplicates collapse onto it. */
    public record Key(String device, String channel, long timeNs) {
        @Override
        public String toString() {
            return device + "/" + channel + "@" + timeNs;
        }
    }
}
