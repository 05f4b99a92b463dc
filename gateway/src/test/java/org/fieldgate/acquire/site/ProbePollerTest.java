package org.fieldgate.acquire.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeCounters;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.ProbeFactory;
import org.fieldgate.acquire.time.Clocks;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.testkit.Poll;
import org.fieldgate.senml.DecodedPack;
import org.fieldgate.senml.SenmlDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A probe that fails is a gap with its cause, never a dead sampler; it resumes when the device does. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProbePollerTest {

    /** A GMP252 stand-in that times out on samples {@code failFrom..failTo} (1-based) and reads fine otherwise. */
    static class FlakyProbe implements Probe {
        final AtomicInteger calls = new AtomicInteger();
        final int failFrom;
        final int failTo;

        FlakyProbe(int failFrom, int failTo) {
            this.failFrom = failFrom;
            this.failTo = failTo;
        }

        @Override
        public String model() {
            return "GMP252";
        }

        @Override
        public String address() {
            return "rs485-1/241";
        }

        @Override
        public List<Measurement> sample() throws ProbeException {
            int n = calls.incrementAndGet();
            if (n >= failFrom && n <= failTo) {
                throw new ProbeException("GMP252", "rs485-1/241", ProbeException.Cause.TIMEOUT,
                        "no answer within 500 ms");
            }
            return List.of(new Measurement("co2", "ppm", 1000 + n, 0), new Measurement("temp", "Cel", 12.5, 0));
        }

        @Override
        public ProbeCounters counters() {
            return new ProbeCounters(calls.get(), 0, 0, 0, 0);
        }

        @Override
        public void close() {
        }
    }

    record Gap(String site, String device, String channel, long firstNs, long lastNs, long readings, String cause) {
    }

    @Test
    void failedSamplesBecomeOneGapPerChannelWithTheCountAndCauseAndSamplingResumes() {
        // 100 ms: long enough that a busy build machine does not make the scheduler skip slots (a skipped slot is
        // a gap of its own kind, "sampling overran", which would join this one)
        SiteConfig site = ExampleSites.onlyProbe(ExampleSites.soil(), "soil-co2-10cm", 0.1);
        FlakyProbe probe = new FlakyProbe(3, 7);
        List<byte[]> packs = new CopyOnWriteArrayList<>();
        List<Gap> gaps = new CopyOnWriteArrayList<>();
        TimeKeeper time = new TimeKeeper(Clocks.system());
        SiteAcquisition acquisition = new SiteAcquisition(site, factory(probe), time, (topic, senml) -> {
            assertEquals("fieldgate/soil-plot-example/soil-co2-10cm/senml", topic);
            packs.add(senml);
            return true;
        }, (s, d, c, first, last, n, cause) -> gaps.add(new Gap(s, d, c, first, last, n, cause)), r -> { });
        acquisition.start();
        Poll.until("12 samples", java.time.Duration.ofSeconds(20), () -> probe.calls.get() >= 12);
        acquisition.close();

        int calls = probe.calls.get();
        assertEquals(calls - 5, packs.size(), "every good sample is one pack");
        // a slot the scheduler skipped on a loaded machine is a gap of its own cause; leave those out here
        gaps.removeIf(g -> g.cause().startsWith("sampling overran"));
        assertTrue(gaps.size() >= 2, "a gap per published channel: " + gaps);
        for (String channel : List.of("co2_10cm", "temp_10cm")) {
            List<Gap> mine = gaps.stream().filter(g -> g.channel().equals(channel)).toList();
            assertEquals(5, mine.stream().mapToLong(Gap::readings).sum(), "five failed samples of " + channel);
            for (Gap g : mine) {
                assertEquals("TIMEOUT: GMP252 at rs485-1/241: TIMEOUT: no answer within 500 ms", g.cause());
            }
        }
        assertEquals(gaps.size(), gaps.stream().filter(g -> g.channel().equals("co2_10cm")).count() * 2);
        // readings before and after the gap, calibrated and flagged as unsynchronised (no sync source was asked)
        SenmlDecoder decoder = new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400_000_000_000L);
        List<Double> co2 = new ArrayList<>();
        for (byte[] p : packs) {
            DecodedPack d = decoder.decode("fieldgate/soil-plot-example/soil-co2-10cm/senml", p,
                    System.currentTimeMillis() * 1_000_000L);
            assertEquals(List.of(), d.rejections(), new String(p, StandardCharsets.UTF_8));
            assertEquals("soil-co2-10cm-2025-03", d.readings().get(0).calibration());
            assertEquals(QcFlags.CLOCK_UNSYNCED, d.readings().get(0).qc());
            co2.add(d.readings().get(0).value());
        }
        assertEquals(2.5 + 0.9987 * 1001, co2.get(0), 1e-9);
        assertEquals(2.5 + 0.9987 * 1008, co2.get(2), 1e-9, "sample 8 is the first after the gap");
        List<Double> sorted = new ArrayList<>(co2);
        Collections.sort(sorted);
        assertEquals(sorted, co2, "published in acquisition order");
    }

    @Test
    void aProbeWhoseDriverCannotBeBuiltIsAGapAndTheOthersRun() {
        SiteConfig site = ExampleSites.onlyProbe(ExampleSites.soil(), "soil-co2-10cm", 0.02);
        List<Gap> gaps = new CopyOnWriteArrayList<>();
        ProbeFactory broken = new ProbeFactory() {
            @Override
            public Probe create(SiteConfig s, ProbeConfig p) {
                throw new IllegalArgumentException("probe " + p.id() + ": /dev/ttyUSB0 cannot be opened");
            }

            @Override
            public void close() {
            }
        };
        try (SiteAcquisition a = new SiteAcquisition(site, broken, new TimeKeeper(Clocks.system()), (t, b) -> true,
                (s, d, c, first, last, n, cause) -> gaps.add(new Gap(s, d, c, first, last, n, cause)), r -> { })) {
            a.start();
            assertEquals(List.of("soil-co2-10cm: probe soil-co2-10cm: /dev/ttyUSB0 cannot be opened"), a.unbuilt());
        }
        assertEquals(2, gaps.size());
        assertEquals("driver not built: probe soil-co2-10cm: /dev/ttyUSB0 cannot be opened", gaps.get(0).cause());
    }

    /**
     * Issue point 1: per probe the state, last good sample and last error. One probe that stopped answering after two
     * good samples is DEGRADED, one whose bus cannot be opened is DOWN, one reading fine is UP: the site is DEGRADED.
     * A site whose every probe is DOWN is DOWN.
     */
    @Test
    void aPartlyFailingSiteIsDegradedWithEachProbesLastGoodSampleAndLastError() {
        SiteConfig soil = ExampleSites.soil();
        List<ProbeConfig> probes = new ArrayList<>();
        for (String id : List.of("soil-co2-10cm", "soil-co2-30cm", "analyser")) {
            ProbeConfig p = soil.probe(id);
            probes.add(new ProbeConfig(p.id(), p.model(), p.bus(), p.address(), p.pin(), 0.1, p.depthCm(),
                    p.channels(), p.line(), p.settings()));
        }
        SiteConfig site = new SiteConfig(soil.id(), soil.name(), soil.latitude(), soil.longitude(), soil.elevationM(),
                soil.timezone(), soil.buses(), probes, soil.calibrations(), null, null, soil.file());
        FlakyProbe unplugged = new FlakyProbe(3, Integer.MAX_VALUE);
        FlakyProbe fine = new FlakyProbe(0, 0);
        ProbeFactory factory = new ProbeFactory() {
            @Override
            public Probe create(SiteConfig s, ProbeConfig p) {
                return switch (p.id()) {
                    case "soil-co2-10cm" -> unplugged;
                    case "soil-co2-30cm" -> fine;
                    default -> throw new IllegalArgumentException("probe " + p.id() + ": /dev/ttyUSB0 cannot be opened");
                };
            }

            @Override
            public void close() {
            }
        };
        try (SiteAcquisition a = new SiteAcquisition(site, factory, new TimeKeeper(Clocks.system()), (t, b) -> true,
                (s, d, c, first, last, n, cause) -> { }, r -> { })) {
            a.start();
            List<ProbeHealth> health = Poll.value("the unplugged probe to fail after its good samples",
                    java.time.Duration.ofSeconds(20), a::health,
                    h -> h.get(0).state() == ProbeHealth.State.DEGRADED && h.get(1).lastGoodNs() != null, () -> "");
            ProbeHealth degraded = health.get(0);
            assertEquals("soil-co2-10cm", degraded.probe());
            assertTrue(degraded.lastGoodNs() != null && degraded.lastGoodAgeS() < 10, degraded.toString());
            assertEquals("TIMEOUT: GMP252 at rs485-1/241: TIMEOUT: no answer within 500 ms", degraded.lastError());
            assertEquals(ProbeHealth.State.UP, health.get(1).state(), health.get(1).toString());
            assertEquals(null, health.get(1).lastError());
            ProbeHealth down = health.get(2);
            assertEquals("analyser", down.probe());
            assertEquals(ProbeHealth.State.DOWN, down.state());
            assertEquals("driver not built: probe analyser: /dev/ttyUSB0 cannot be opened", down.lastError());
            assertEquals(null, down.lastGoodNs());
            assertEquals(ProbeHealth.State.DEGRADED, ProbeHealth.of(health));
            assertEquals(ProbeHealth.State.DOWN, ProbeHealth.of(List.of(down, down)));
            System.out.println("partly failing site: " + ProbeHealth.of(health) + " " + health);
        }
    }

    @Test
    void aPackIngestRefusesIsAGapNotASilentLoss() {
        SiteConfig site = ExampleSites.onlyProbe(ExampleSites.soil(), "soil-co2-10cm", 0.1);
        FlakyProbe probe = new FlakyProbe(0, 0);
        AtomicInteger offered = new AtomicInteger();
        List<Gap> gaps = new CopyOnWriteArrayList<>();
        SiteAcquisition a = new SiteAcquisition(site, factory(probe), new TimeKeeper(Clocks.system()),
                (t, b) -> offered.incrementAndGet() > 3, // the first three are refused (spool full)
                (s, d, c, first, last, n, cause) -> gaps.add(new Gap(s, d, c, first, last, n, cause)), r -> { });
        a.start();
        Poll.until("6 packs offered", java.time.Duration.ofSeconds(20), () -> offered.get() >= 6);
        a.close();
        gaps.removeIf(g -> g.cause().startsWith("sampling overran")); // scheduler hiccups on a loaded machine
        assertEquals(3, gaps.stream().filter(g -> g.channel().equals("co2_10cm")).mapToLong(Gap::readings).sum(),
                gaps.toString());
        for (Gap g : gaps) {
            assertEquals("ingest did not take the pack (spool full or gateway stopping)", g.cause());
        }
    }

    @Test
    void aProbeFailingAThousandTimesWritesABoundedNumberOfLogLines() {
        SiteConfig site = ExampleSites.onlyProbe(ExampleSites.soil(), "soil-co2-10cm", 0.005);
        // each failure with its own text, as a timeout's measured milliseconds or a CRC's bytes give it
        FlakyProbe probe = new FlakyProbe(1, Integer.MAX_VALUE) {
            @Override
            public List<Measurement> sample() throws ProbeException {
                int n = calls.incrementAndGet();
                throw new ProbeException("GMP252", "rs485-1/241", ProbeException.Cause.TIMEOUT, "no answer within " + (500 + n) + " ms");
            }
        };
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ProbePoller.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        AtomicInteger gapRecords = new AtomicInteger();
        try (SiteAcquisition a = new SiteAcquisition(site, factory(probe), new TimeKeeper(Clocks.system()), (t, b) -> true,
                (s, d, c, first, last, n, cause) -> gapRecords.incrementAndGet(), r -> { })) {
            a.start();
            Poll.until("1,000 failed samples", java.time.Duration.ofSeconds(40), () -> probe.calls.get() >= 1000);
        } finally {
            logger.detachAppender(lines);
        }
        List<String> logged = lines.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        System.out.println("ProbePoller: " + probe.calls.get() + " failed samples, " + logged.size() + " log lines, "
                + gapRecords.get() + " gap records");
        // the first failure is told; the next warning would come WARN_EVERY (10 min) later
        assertEquals(1, logged.size(), String.join("\n", logged.subList(0, Math.min(20, logged.size()))));
        assertTrue(logged.get(0).contains("no answer within 501 ms; recording a gap until it recovers"), logged.get(0));
        assertTrue(gapRecords.get() >= 2, "the gap records keep every cause: " + gapRecords.get());
    }

    static ProbeFactory factory(Probe probe) {
        return new ProbeFactory() {
            @Override
            public Probe create(SiteConfig site, ProbeConfig config) {
                return probe;
            }

            @Override
            public void close() {
            }
        };
    }
}
