package org.fieldgate.senml;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;

/**
 * Thread CPU time per message of the tree and the streaming decoder, alternating in rounds in one JVM so a busy box
 * loads both alike (JMH's wall-clock figures swing with the other processes): {@code java -cp ... DecodeCpuComparison}.
 */
public final class DecodeCpuComparison {
    private DecodeCpuComparison() {
    }

    public static void main(String[] args) {
        SenmlDecoder decoder = new SenmlDecoder(65_536, 1000, 1_420_070_400L, 86_400L * 1_000_000_000L);
        long nowNs = 1_763_856_000L * 1_000_000_000L;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int perMessage : new int[]{100, 1}) {
            StringBuilder json = new StringBuilder("[{\"bn\":\"node-7/\",\"bt\":1763855000.123456789");
            for (int c = 0; c < perMessage; c++) {
                json.append(c == 0 ? "," : ",{").append("\"n\":\"ch").append(c).append("\",\"u\":\"ppm\",\"v\":")
                        .append(400 + c * 37 % 1000 + 0.25).append('}');
            }
            byte[] payload = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
            String topic = SenmlPack.topic("bench", "node-7");
            int messages = perMessage == 100 ? 2_000 : 100_000;
            long[] spent = new long[2];
            for (int round = 0; round < 12; round++) {
                for (int path = 0; path < 2; path++) {
                    long start = cpu.getCurrentThreadCpuTime();
                    int readings = 0;
                    for (int i = 0; i < messages; i++) {
                        readings += decoder.decode(topic, payload, nowNs, path == 1).readings().size();
                    }
                    if (readings != messages * perMessage) {
                        throw new IllegalStateException("decoded " + readings + " readings");
                    }
                    if (round >= 4) { // the first rounds warm up
                        spent[path] += cpu.getCurrentThreadCpuTime() - start;
                    }
                }
            }
            double tree = spent[0] / 8.0 / messages / 1000;
            double streaming = spent[1] / 8.0 / messages / 1000;
            System.out.printf("%3d readings/message: tree %8.2f us CPU/message, streaming %8.2f, streaming/tree = %.3f%n",
                    perMessage, tree, streaming, streaming / tree);
        }
    }
}
