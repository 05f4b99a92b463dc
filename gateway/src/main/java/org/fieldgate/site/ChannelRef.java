package org.fieldgate.site;

/** A published channel of a probe, as the chambers and the house refer to them. */
public record ChannelRef(String probe, String channel) {
}
