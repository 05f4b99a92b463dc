package org.fieldgate.transport;

import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * CPU time per MQTT message of the receive side's own reading (the {@link PublishTopicGuard} and a Paho-like read of
 * each packet: first byte and remaining length a byte at a time, the rest in bulk, then Paho's decode), on this thread
 * only. Arguments: messages (default 1,000,000), payload bytes (default 150, about one SenML reading). Prints CPU-s per
 * million messages of the guard with the read, and with Paho's decode on top.
 */
public final class GuardCpuRun {
    private GuardCpuRun() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int payloadBytes = args.length > 1 ? Integer.parseInt(args[1]) : 150;
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int distinct = 1000;
        for (int i = 0; i < distinct; i++) {
            byte[] topic = ("fieldgate/bench/node-" + i + "/senml").getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(topic.length >>> 8);
            body.write(topic.length);
            body.writeBytes(topic);
            body.write(i >>> 8 | 1);
            body.write(i);
            byte[] payload = new byte[payloadBytes];
            java.util.Arrays.fill(payload, (byte) 'x');
            body.writeBytes(payload);
            wire.writeBytes(org.fieldgate.testkit.RawMqttBroker.packet(0x32, body.toByteArray()));
        }
        byte[] packets = wire.toByteArray();
        var threads = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) {
            long[] cpu = new long[2];
            for (int decode = 0; decode < 2; decode++) {
                long start = threads.getCurrentThreadCpuTime();
                long sink = 0;
                for (int done = 0; done < messages; done += distinct) {
                    DataInputStream in = new DataInputStream(new PublishTopicGuard(new ByteArrayInputStream(packets)));
                    for (int i = 0; i < distinct; i++) {
                        sink += readPacket(in, decode == 1);
                    }
                }
                cpu[decode] = threads.getCurrentThreadCpuTime() - start;
                if (sink == 42) {
                    System.out.println();
                }
            }
            System.out.printf("guard-cpu round=%d messages=%d payload=%d cpu_s_per_million read=%.3f read+decode=%.3f%n",
                    round, messages, payloadBytes, cpu[0] / 1e3 / messages, cpu[1] / 1e3 / messages);
        }
    }

    /** One packet read as Paho 1.2.5's MqttInputStream reads it; with {@code decode}, decoded by Paho too. */
    private static long readPacket(DataInputStream in, boolean decode) throws IOException {
        byte first = in.readByte();
        int remaining = 0;
        int multiplier = 1;
        byte digit;
        ByteArrayOutputStream head = new ByteArrayOutputStream(5);
        head.write(first);
        do {
            digit = in.readByte();
            head.write(digit);
            remaining += (digit & 0x7f) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        byte[] packet = new byte[head.size() + remaining];
        System.arraycopy(head.toByteArray(), 0, packet, 0, head.size());
        in.readFully(packet, head.size(), remaining);
        if (!decode) {
            return packet.length;
        }
        try {
            return MqttWireMessage.createWireMessage(packet).getMessageId();
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            throw new IOException(e);
        }
    }
}
