package io.cnnc.compiler.schedule;

/**
 * What the cost model assumes about the CPU: its peak and gather cost come from its
 * {@link CpuKind}; stream bandwidth is that of the 2-core machines this project is developed on
 * (docs/compiler.md, "Machine figures"). {@code gatherNanos}: what one 8-lane gather of
 * pixel-gemm's packing costs beyond the arithmetic on one core, 0 with AVX-512, whose
 * efficiencies were fitted with the gathers inside them. The CPU name keys the tuning cache; it
 * carries the kind and the vector width, because the same model name ("AMD EPYC") has been a
 * Zen 2, a Zen 4 and a Zen 5, and a strategy measured on one says nothing about the others.
 */
public record Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2, double gatherNanos, String efficiencyTable) {

    /** A machine with the efficiency table of this CPU's kind. */
    public Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2, double gatherNanos) {
        this(cpu, peakGflopsPerCore, bandwidthGBs1, bandwidthGBs2, gatherNanos, CpuKind.detect().efficiencyTable());
    }

    /** A machine whose gathers cost nothing beyond what its efficiencies were fitted with. */
    public Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2) {
        this(cpu, peakGflopsPerCore, bandwidthGBs1, bandwidthGBs2, 0);
    }

    public static Machine detect() {
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        CpuKind kind = CpuKind.detect();
        return new Machine(cpuName() + " (" + kind + ", " + bits + "-bit vectors, " + io.cnnc.kernels.cpu.VectorRegisters.COUNT + "-register blocks)",
                kind.peakGflopsPerCore(), 17, 29, kind.gatherNanos(), kind.efficiencyTable());
    }

    /** Bytes per second available to {@code threads} threads (two or more share the second figure). */
    public double bandwidth(int threads) {
        return (threads == 1 ? bandwidthGBs1 : bandwidthGBs2) * 1e9;
    }

    public double peakFlops(int threads) {
        return peakGflopsPerCore * 1e9 * threads;
    }

    private static String cpuName() {
        for (String line : CpuKind.cpuinfo()) {
            if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        }
        // Not Linux: the JVM's architecture is the best name left.
        return System.getProperty("os.arch") + "-" + Runtime.getRuntime().availableProcessors() + "cpu";
    }
}
