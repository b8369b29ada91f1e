package io.cnnc.compiler.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the cost model assumes about the CPU. The defaults were measured on the 2-core AVX-512
 * machine this project is developed on: 240 GFLOP/s per core from 12 independent FloatVector FMA
 * chains on JDK 25 (2026-11-22; an earlier note said 115, but ONNX Runtime alone reaches 226 on
 * one core there), stream bandwidth 17 GB/s on one thread, 29 on two. The CPU name keys the
 * tuning cache.
 */
public record Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2) {

    public static Machine detect() {
        return new Machine(cpuName(), 240, 17, 29);
    }

    /** Bytes per second available to {@code threads} threads (two or more share the second figure). */
    public double bandwidth(int threads) {
        return (threads == 1 ? bandwidthGBs1 : bandwidthGBs2) * 1e9;
    }

    public double peakFlops(int threads) {
        return peakGflopsPerCore * 1e9 * threads;
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the JVM's architecture is the best name left.
        }
        return System.getProperty("os.arch") + "-" + Runtime.getRuntime().availableProcessors() + "cpu";
    }
}
