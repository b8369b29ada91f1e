package io.cnnc.compiler.schedule;

/**
 * What the cost model assumes about the CPU: its peak and gather cost come from its
 * {@link CpuKind}; stream bandwidth is that of the 2-core machines this project is developed on
 * (docs/compiler.md, "Machine figures"), unless {@code cnnc calibrate} measured this machine
 * ({@code calibration}, non-null: its peak, bandwidths, hand-over and reorder costs and
 * efficiencies replace the shipped figures). {@code gatherNanos}: what one 8-lane gather of
 * pixel-gemm's packing costs beyond the arithmetic on one core, 0 with AVX-512, whose
 * efficiencies were fitted with the gathers inside them. The CPU name keys the tuning cache; it
 * carries the kind and the vector width, because the same model name ("AMD EPYC") has been a
 * Zen 2, a Zen 4 and a Zen 5, and a strategy measured on one says nothing about the others.
 */
public record Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2, double gatherNanos, String efficiencyTable,
                      Calibration calibration) {

    /** A machine described by the shipped figures only. */
    public Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2, double gatherNanos, String efficiencyTable) {
        this(cpu, peakGflopsPerCore, bandwidthGBs1, bandwidthGBs2, gatherNanos, efficiencyTable, null);
    }

    /** A machine with the efficiency table of this CPU's kind. */
    public Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2, double gatherNanos) {
        this(cpu, peakGflopsPerCore, bandwidthGBs1, bandwidthGBs2, gatherNanos, CpuKind.detect().efficiencyTable());
    }

    /** A machine whose gathers cost nothing beyond what its efficiencies were fitted with. */
    public Machine(String cpu, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2) {
        this(cpu, peakGflopsPerCore, bandwidthGBs1, bandwidthGBs2, 0);
    }

    /** This machine: its calibration from the cache where {@code cnnc calibrate} left a usable one, else its kind's shipped figures. */
    public static Machine detect() {
        Machine shipped = shipped();
        String key = calibrationKey();
        if (Calibration.read(Calibration.cacheFile(key), key) instanceof Calibration.Read.Usable(Calibration c)) return shipped.calibratedBy(c);
        return shipped;
    }

    /** This machine as the repository's table for its kind describes it, whatever has been calibrated. */
    public static Machine shipped() {
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        CpuKind kind = CpuKind.detect();
        return new Machine(cpuName() + " (" + kind + ", " + bits + "-bit vectors, " + io.cnnc.kernels.cpu.VectorRegisters.COUNT + "-register blocks)",
                kind.peakGflopsPerCore(), 17, 29, kind.gatherNanos(), kind.efficiencyTable());
    }

    /** The key a calibration of this machine is cached and checked under: the CPU as {@link #shipped} names it, and the core count. */
    public static String calibrationKey() {
        return shipped().cpu() + " x" + Runtime.getRuntime().availableProcessors();
    }

    /** This machine with {@code c}'s measured figures. */
    public Machine calibratedBy(Calibration c) {
        return new Machine(cpu, c.peakGflopsPerCore(), c.bandwidthGBs1(), c.bandwidthGBs2(), gatherNanos, efficiencyTable, c);
    }

    /** Milliseconds a layer shared out over the threads pays beyond its work (StrategyChooser). */
    public double handoverMs() {
        return calibration != null ? calibration.handoverMs() : StrategyChooser.HANDOVER_MS;
    }

    /** Nanoseconds per element of a layout reorder (LayoutChoice). */
    public double reorderNanosPerElement() {
        return calibration != null ? calibration.reorderNanosPerElement() : LayoutChoice.REORDER_NANOS_PER_ELEMENT;
    }

    /** The efficiencies the cost model reads: this machine's calibration over its kind's table, or the table. */
    public Efficiencies efficiencies() {
        Efficiencies table = Efficiencies.calibrated(efficiencyTable);
        return calibration != null ? calibration.over(table) : table;
    }

    /** Which figures the cost model runs on, for --explain. */
    public String describeCalibration() {
        if (calibration == null) {
            return "the shipped table for " + CpuKind.detect() + " (" + efficiencyTable + "); `cnnc calibrate` measures this machine";
        }
        return String.format(java.util.Locale.ROOT, "this machine's calibration of %s (%.0f GFLOP/s a core, %.0f/%.0f GB/s, %d strategy keys; %s)",
                calibration.date(), calibration.peakGflopsPerCore(), calibration.bandwidthGBs1(), calibration.bandwidthGBs2(),
                calibration.efficiencies().size(), Calibration.cacheFile(calibration.machine()));
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
