package io.cnnc.compiler.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the cost model assumes about the CPU. The figures were measured on the 2-core machines
 * this project is developed on. With 512-bit vectors (AVX-512): 240 GFLOP/s per core from 12
 * independent FloatVector FMA chains on JDK 25 (2026-11-22; an earlier note said 115, but ONNX
 * Runtime alone reaches 226 on one core there). With 256-bit vectors (AVX2, a Zen2 EPYC,
 * 2026-12-02): 86 GFLOP/s, the best a GEMM microkernel reached on one core (FMA chains 71-75).
 * Stream bandwidth 17 GB/s on one thread, 29 on two. {@code gatherNanos}: what one 8-lane gather
 * of pixel-gemm's packing costs beyond the arithmetic, on one core: 9.4 ns on Zen2 (the 7x7 stem
 * took 6.84 ms where its multiplies at pixel-gemm's efficiency take 3.37, over 369k gathers);
 * 0 with AVX-512, whose efficiencies were fitted with the gathers inside them. The CPU name keys
 * the tuning cache; it carries the vector width, because the same model name ("AMD EPYC") has come with either, and a
 * strategy measured with one register blocking says nothing about the other.
 */
public record Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2, double gatherNanos) {

    /** A machine whose gathers cost nothing beyond what its efficiencies were fitted with. */
    public Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2) {
        this(cpu, peakGflopsPerCore, bandwidthGBs1, bandwidthGBs2, 0);
    }

    public static Machine detect() {
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return new Machine(cpuName() + " (" + bits + "-bit vectors, "
                + io.cnnc.kernels.cpu.VectorRegisters.COUNT + "-register blocks)", bits >= 512 ? 240 : 86, 17, 29, bits >= 512 ? 0 : 9.4);
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
