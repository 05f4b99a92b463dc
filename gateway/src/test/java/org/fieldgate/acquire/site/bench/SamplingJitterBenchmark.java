package org.fieldgate.acquire.site.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.fieldgate.acquire.site.AcquisitionStage;
import org.fieldgate.acquire.site.JitterStats;
import org.fieldgate.acquire.site.SimulatedProbes;
import org.fieldgate.acquire.site.SiteAcquisition;
import org.fieldgate.acquire.time.Clocks;
import org.fieldgate.acquire.time.SyncStatus;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.senml.SenmlDecoder;

/**
 * Sampling jitter at 1 Hz: both example sites' probes (12, on 7 bus threads) all sampled every second by the real
 * acquisition stage on simulated probes, every pack encoded and decoded as ingest would, for a bounded time (default
 * 600 s). Reports how late acquisitions started against their schedule (p50, p99, max over every probe), beside a
 * baseline measured in the same process at the same time: a bare 1 Hz task on its own scheduler thread, i.e. what the
 * JVM and the OS give any timer on this machine.
 * <pre>gateway/bench/sampling-jitter [seconds]</pre>
 */
public final class SamplingJitterBenchmark {
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 600;
        Path config = Path.of(args.length > 1 ? args[1] : "firmware-config").toAbsolutePath().normalize();
        List<SiteConfig> sites = new ArrayList<>();
        for (String f : List.of("soil-plot-example.yaml", "mineralisation-house-example.yaml")) {
            sites.add(at1Hz(SiteConfigs.loadOrThrow(config.resolve("sites/" + f), config.resolve("models"))));
        }
        TimeKeeper time = new TimeKeeper(Clocks.system());
        SenmlDecoder decoder = new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400_000_000_000L);
        AtomicLong readings = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AcquisitionStage stage = new AcquisitionStage(sites, new SimulatedProbes(1, time::nowNs), time,
                () -> SyncStatus.synchronised("benchmark"), (topic, senml) -> {
                    var d = decoder.decode(topic, senml, System.currentTimeMillis() * 1_000_000L);
                    readings.addAndGet(d.readings().size());
                    rejected.addAndGet(d.rejections().size());
                    return true;
                }, (s, d, c, f, l, n, cause) -> System.err.println("gap " + s + "/" + d + "/" + c + ": " + cause),
                p -> { });

        JitterStats baseline = new JitterStats();
        ScheduledExecutorService bare = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        bare.scheduleAtFixedRate(new Runnable() {
            long k = 1;

            @Override
            public void run() {
                baseline.record(Math.max(0, System.nanoTime() - (start + k++ * 1_000_000_000L)));
            }
        }, 1, 1, TimeUnit.SECONDS);
        stage.start();
        System.out.printf(Locale.ROOT, "sampling %d probes at 1 Hz for %d s ...%n",
                sites.stream().mapToInt(s -> s.probes().size()).sum(), seconds);
        Thread.sleep(seconds * 1000);
        stage.close();
        bare.shutdownNow();

        JitterStats all = new JitterStats();
        for (SiteAcquisition s : stage.sites()) {
            for (long v : s.pooledJitter().values()) {
                all.record(v);
            }
            for (var p : s.status()) {
                System.out.printf(Locale.ROOT, "  %-30s %-14s published %6d  missed %d  p99 %.3f ms%n",
                        p.site() + "/" + p.probe(), p.model(), p.published(), p.missed(), p.jitterP99Ns() / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "acquisitions %d, readings %d, rejected %d%n", all.count(), readings.get(),
                rejected.get());
        System.out.printf(Locale.ROOT, "sampling lateness at 1 Hz: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                all.quantileNs(0.5) / 1e6, all.quantileNs(0.99) / 1e6, all.maxNs() / 1e6);
        System.out.printf(Locale.ROOT, "baseline (bare 1 Hz timer, same process): p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                baseline.quantileNs(0.5) / 1e6, baseline.quantileNs(0.99) / 1e6, baseline.maxNs() / 1e6);
        System.out.printf(Locale.ROOT, "p99 / baseline p99 = %.2f; target p99 < 20 ms: %s%n",
                all.quantileNs(0.99) / (double) Math.max(1, baseline.quantileNs(0.99)),
                all.quantileNs(0.99) < 20_000_000L ? "met" : "NOT met");
        System.exit(0);
    }

    private static SiteConfig at1Hz(SiteConfig s) {
        List<ProbeConfig> probes = new ArrayList<>();
        for (ProbeConfig p : s.probes()) {
            probes.add(new ProbeConfig(p.id(), p.model(), p.bus(), p.address(), p.pin(), 1.0, p.depthCm(),
                    p.channels(), p.line(), p.settings()));
        }
        return new SiteConfig(s.id(), s.name(), s.latitude(), s.longitude(), s.elevationM(), s.timezone(), s.buses(),
                probes, s.calibrations(), null, null, s.file());
    }
}
