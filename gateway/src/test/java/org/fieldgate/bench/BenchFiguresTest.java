package org.fieldgate.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline benchmark's pure helpers: line protocol of the ceiling client, /proc/PID/stat, heap info, verdicts. */
class BenchFiguresTest {

    @Test
    void lineProtocolIsTheGatewaysPointWithTagsEscaped() {
        StringBuilder out = new StringBuilder();
        LineProtocol.append(out, "bench a", "dev=1", "co2,10cm", "%RH", 412.5, 0, 1_700_000_000_500_000_000L);
        assertEquals("reading,site=bench\\ a,device=dev\\=1,channel=co2\\,10cm,unit=%RH value=412.5,qc=0i 1700000000500000000\n",
                out.toString());
    }

    @Test
    void lineProtocolRefusesWhatInfluxCannotStore() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> LineProtocol.append(new StringBuilder(), "s", "d", "c", "u", Double.NaN, 0, 1));
        assertTrue(nan.getMessage().contains("d/c is NaN"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LineProtocol.append(new StringBuilder(), "s", "", "c", "u", 1, 0, 1));
    }

    @Test
    void ceilingBodiesHoldExactlyTheReadingsAskedFor() {
        List<byte[]> bodies = InfluxCeiling.bodies("bench-a", 50, 12_345, 5_000, 1);
        assertEquals(3, bodies.size());
        long lines = bodies.stream().mapToLong(b -> new String(b).lines().count()).sum();
        assertEquals(12_345, lines);
    }

    @Test
    void procStatTicksAreUtimePlusStimeEvenWithParenthesesInTheName() {
        // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 5000 0 3 0 1234 567 0 0 20 0 40 0 100 2000000 9000";
        assertEquals(1234 + 567, ProcStat.ticks(stat));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.ticks("4242 (java) S 1 2"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.ticks("no parentheses"));
    }

    @Test
    void cpuSecondsPerMillionReadings() {
        assertEquals(18.8, ProcStat.cpuSecondsPerMillion(1880, 100, 1_000_000), 1e-9);
        assertEquals(52.0, ProcStat.cpuSecondsPerMillion(520, 100, 100_000), 1e-9);
        assertTrue(Double.isNaN(ProcStat.cpuSecondsPerMillion(-1, 100, 1_000)), "a process that is gone has no figure");
        assertTrue(Double.isNaN(ProcStat.cpuSecondsPerMillion(10, 100, 0)), "no readings, no figure");
    }

    /**
     * The peer verdicts take the median of the rounds' ratios (StartUpRuns.median, which PipelineBenchmark applies
     * to the rounds as to the start-ups); no round is no figure, so FAILED.
     */
    @Test
    void peerRatiosAreTheMedianOfTheRounds() {
        assertEquals(1.68, StartUpRuns.median(new double[]{2.15, 1.68, 1.55}), 1e-12, "the middle of three rounds, whatever their order");
        assertEquals(1.68, StartUpRuns.median(new double[]{1.55, 2.15, 1.68}), 1e-12);
        assertEquals((2.15 + 1.68) / 2, StartUpRuns.median(new double[]{2.15, 1.68}), 1e-12, "two rounds: the mean of the two");
        assertTrue(Double.isNaN(StartUpRuns.median(new double[0])), "no round, no figure");
        assertEquals(Verdict.Outcome.FAILED, Verdict.of("throughput", StartUpRuns.median(new double[0]), 2, true, "%.2fx").outcome());
        double[] rounds = {2.15, 1.68, 1.55};
        StartUpRuns.median(rounds);
        assertEquals(2.15, rounds[0], 0, "the rounds' own order is left as it was (they are printed in it)");
    }

    @Test
    void ownProcessHasCpuTicksAndAGoneOneHasNone() {
        assertTrue(ProcStat.ticks(ProcessHandle.current().pid()) >= 0);
        assertEquals(-1, ProcStat.ticks(Long.MAX_VALUE));
    }

    @Test
    void heapUsedIsTheSumOfTheGenerations() {
        String serial = """
                12345:
                 def new generation   total 4928K, used 2231K [0x00000000fa000000, 0x00000000fa550000, 0x00000000fc000000)
                  eden space 4416K,  50% used [0x00000000fa000000, 0x00000000fa22dc40, 0x00000000fa450000)
                 tenured generation   total 10944K, used 6543K [0x00000000fc000000, 0x00000000fcab0000, 0x0000000100000000)
                 Metaspace       used 37422K, committed 37888K, reserved 1114112K
                """;
        assertEquals(2231 + 6543, JvmHeap.usedKb(serial));
        assertEquals(9087, JvmHeap.usedKb(" garbage-first heap   total 16384K, used 9087K [0x00000000fa000000, 0x0000000100000000)\n"));
        assertEquals(-1, JvmHeap.usedKb("12345:\nCommand executed successfully\n"));
    }

    @Test
    void verdictWithoutAFigureIsFailedNeverPass() {
        // the first issue-12 run printed "memory PASS (-0.00)" for a VmHWM of -1 and "latency PASS" for NaN
        Verdict nan = Verdict.of("latency p99 <= 2 s", Double.NaN, 2, false, "%.2f s");
        assertEquals(Verdict.Outcome.FAILED, nan.outcome());
        assertTrue(nan.line().contains("FAILED"), nan.line());
        assertEquals(Verdict.Outcome.FAILED, Verdict.of("memory <= 160 MiB", -1 / 1024.0, 160, false, "%.1f MiB").outcome());
        assertEquals(Verdict.Outcome.FAILED, Verdict.of("throughput >= 2x", Double.POSITIVE_INFINITY, 2, true, "%.2fx").outcome());
        assertEquals(Verdict.Outcome.FAILED, Verdict.of("throughput >= 2x", 0.0 / 0.0, 2, true, "%.2fx").outcome());
        // zero is what an unread counter or a percentile gauge without samples gives, never a measured figure
        assertEquals(Verdict.Outcome.FAILED, Verdict.of("latency p99 <= 2 s", 0.0, 2, false, "%.2f s").outcome());
        assertEquals(Verdict.Outcome.FAILED, Verdict.of("CPU per reading <= 1/3", 0.0, 1.0 / 3, false, "%.2fx").outcome());
        // nothing to pass against: the heap against the -Xmx of JVM options that set none
        Verdict noBound = Verdict.of("heap <= -Xmx", 22.5, Double.POSITIVE_INFINITY, false, "%.1f MiB");
        assertEquals(Verdict.Outcome.FAILED, noBound.outcome());
        assertTrue(noBound.line().contains("no target to judge 22.5 MiB"), noBound.line());
    }

    @Test
    void latencyVerdictNeedsBothFiguresAndTakesTheWorse() {
        assertEquals(1.5, Verdict.worse(0.4, 1.5), 1e-9);
        assertTrue(Double.isNaN(Verdict.worse(Double.NaN, 1.5)), "the gateway's own figure missing");
        assertTrue(Double.isNaN(Verdict.worse(0.4, Double.NaN)), "the external figure missing");
        assertTrue(Double.isNaN(Verdict.worse(0.0, 1.5)), "a percentile gauge with no samples reads 0");
    }

    @Test
    void startUpMedianCountsOnlyStartsThatMappedTheArchive() {
        assertTrue(Double.isNaN(StartUpRuns.NONE.medianWithArchive()), "no start, no figure");
        List<StartUp> plain = List.of(new StartUp(5.1, 5.0, false));
        StartUpRuns all = new StartUpRuns(plain,
                List.of(new StartUp(2.5, 2.6, true), new StartUp(2.9, 3.0, true), new StartUp(2.1, 2.4, true)), 51_000);
        assertEquals(2.5, all.medianWithArchive(), 1e-9);
        assertEquals(2.6, StartUpRuns.median(all.withArchive(), StartUp::cpuSeconds), 1e-9);
        StartUpRuns oneWithout = new StartUpRuns(plain,
                List.of(new StartUp(2.5, 2.6, true), new StartUp(4.9, 5.0, false), new StartUp(2.1, 2.4, true)), 51_000);
        assertEquals(2, oneWithout.archiveMappedStarts());
        assertTrue(Double.isNaN(oneWithout.medianWithArchive()), "a start that ran without the archive leaves the verdict without a figure");
        assertEquals(2.75, StartUpRuns.median(new double[] {3, 2, 2.5, 9}), 1e-9);
    }

    @Test
    void archiveIsMappedWhenProcMapsNamesItsFile() {
        String maps = """
                7f0000000000-7f0000400000 r--p 00000000 fd:01 123 /tmp/run/cds-1/fieldgate.jsa
                7f1000000000-7f1000001000 r-xp 00000000 fd:01 456 /usr/lib/jvm/java-17/lib/server/libjvm.so
                """;
        assertTrue(CdsArchive.mapped(maps, java.nio.file.Path.of("/tmp/run/cds-1/fieldgate.jsa")));
        assertTrue(!CdsArchive.mapped(maps, java.nio.file.Path.of("/tmp/run/cds-1/other.jsa")));
        assertTrue(!CdsArchive.mapped(maps, java.nio.file.Path.of("/run/cds-1/fieldgate.jsa")), "a suffix of another path is not it");
    }

    @Test
    void verdictSaysPassOrByHowMuchItMissed() {
        Verdict pass = Verdict.of("VmHWM <= 160 MiB", 150.25, 160, false, "%.1f MiB");
        assertEquals(Verdict.Outcome.PASS, pass.outcome());
        assertTrue(pass.line().contains("PASS") && pass.line().contains("150.3 MiB"), pass.line());
        Verdict over = Verdict.of("VmHWM <= 160 MiB", 208.0, 160, false, "%.1f MiB");
        assertEquals(Verdict.Outcome.MISS, over.outcome());
        assertTrue(over.line().contains("48.0 MiB over"), over.line());
        Verdict shortBy = Verdict.of("throughput >= 2x Node-RED's", 0.84, 2, true, "%.2fx");
        assertEquals(Verdict.Outcome.MISS, shortBy.outcome());
        assertTrue(shortBy.line().contains("1.16x short") && shortBy.line().contains("needs 2.38x"), shortBy.line());
    }

    @Test
    void xmxOfTheGatewaysJvmOptions() {
        assertEquals(96, JvmHeap.xmxMiB(List.of("-Xms16m", "-Xmx96m", "-XX:+UseSerialGC")), 1e-9);
        assertEquals(1024, JvmHeap.xmxMiB(List.of("-Xmx1g")), 1e-9);
        assertTrue(Double.isInfinite(JvmHeap.xmxMiB(List.of("-XX:+UseSerialGC"))));
    }
}
