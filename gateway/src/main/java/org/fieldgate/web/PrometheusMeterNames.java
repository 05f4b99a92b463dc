package org.fieldgate.web;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Makes the meters that libraries register pass {@code promtool check metrics}: each gets HELP text (Micronaut's HTTP
 * server and executor timers have none) without double quotes (JVM meters have some, escaped differently by the two
 * formats), {@code system.cpu.count} loses the {@code _count} suffix that Prometheus
 * keeps for histograms and summaries, and {@code process.cpu.time}, counted in nanoseconds (an abbreviated unit in its
 * name, {@code process_cpu_time_ns_total}), is left out: {@code process.cpu.usage} carries the same load.
 * Micronaut applies every MeterFilter bean to its registries before the first meter registers.
 */
@Singleton
public class PrometheusMeterNames implements MeterFilter {
    private static final Map<String, String> HELP = Map.of(
            "http.server.requests", "HTTP requests this gateway served, by method, URI and status",
            "http.client.requests", "HTTP requests this gateway made, by method, URI and status",
            "executor", "time tasks ran on Micronaut's executors",
            "executor.idle", "time tasks waited on Micronaut's executors before they ran");

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = id.getName().equals("system.cpu.count") ? "system.cpu.processors" : id.getName();
        String help = id.getDescription();
        if (help == null || help.isBlank()) {
            help = HELP.getOrDefault(name, name.replace('.', ' ') + " (" + id.getType().name().toLowerCase() + ")");
        }
        // OpenMetrics escapes '"' in HELP as \", which the text format (and promtool's parser) reads as an error
        help = help.replace('"', '\'');
        if (name.equals(id.getName()) && help.equals(id.getDescription())) {
            return id;
        }
        return new Meter.Id(name, io.micrometer.core.instrument.Tags.of(id.getTags()), id.getBaseUnit(), help, id.getType());
    }
}
