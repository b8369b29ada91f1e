package io.cnnc.compiler.schedule;

import io.cnnc.kernels.cpu.VectorRegisters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The families of CPU the cost model tells apart, each with the peak its efficiencies are a
 * fraction of and its own efficiency table: a strategy's fraction of peak moves with the vector
 * datapath, not only with the register count. Peaks are what FloatVector FMA chains reach on one
 * core (the measurements: docs/compiler.md, "Machine figures").
 */
public enum CpuKind {
    /** 512-bit FMA units (Intel Xeon, Sapphire Rapids class). */
    AVX512("efficiency.properties", 240, 0),
    /** AMD Zen 4: AVX-512 instructions on 256-bit FMA pipes, so half the Xeon's peak per clock. */
    ZEN4("efficiency-zen4.properties", 115, 0),
    /** AMD Zen 5: AVX-512 on full 512-bit FMA pipes like the Xeon, but half its L2 per core. */
    ZEN5("efficiency-zen5.properties", 228, 0),
    /**
     * AVX2 (16 registers): the peak is the best a GEMM microkernel reached, above FMA chains, and
     * gathers cost extra beyond the arithmetic (see {@link Machine#gatherNanos}).
     */
    AVX2("efficiency-16-registers.properties", 86, 9.4);

    private final String efficiencyTable;
    private final double peakGflopsPerCore;
    private final double gatherNanos;

    CpuKind(String efficiencyTable, double peakGflopsPerCore, double gatherNanos) {
        this.efficiencyTable = efficiencyTable;
        this.peakGflopsPerCore = peakGflopsPerCore;
        this.gatherNanos = gatherNanos;
    }

    /** The resource beside {@link Efficiencies} that holds this kind's calibrated efficiencies. */
    public String efficiencyTable() {
        return efficiencyTable;
    }

    public double peakGflopsPerCore() {
        return peakGflopsPerCore;
    }

    public double gatherNanos() {
        return gatherNanos;
    }

    /** This CPU's kind, from the register blocking in use and /proc/cpuinfo's vendor and family. */
    public static CpuKind detect() {
        return Detected.KIND;
    }

    /**
     * The kind of a CPU with 512-bit vectors, from /proc/cpuinfo: AMD family 25 (0x19) is Zen 3
     * and Zen 4, and only Zen 4 has AVX-512, which the wide blocks imply; family 26 (0x1A) is Zen 5;
     * anything else is taken for an AVX-512 Xeon.
     */
    static CpuKind wideKind(List<String> cpuinfo) {
        boolean amd = false;
        for (String line : cpuinfo) {
            if (line.startsWith("vendor_id")) amd = line.contains("AuthenticAMD");
            if (line.startsWith("cpu family")) {
                String family = line.substring(line.indexOf(':') + 1).trim();
                return !amd ? AVX512 : family.equals("25") ? ZEN4 : family.equals("26") ? ZEN5 : AVX512;
            }
        }
        return AVX512;
    }

    /**
     * Whether the repository's table was measured on this kind of CPU: AMD family 25 (Zen 3
     * without AVX-512, Zen 4 with it) and 26 (Zen 5), and Intel with AVX-512 (the Xeon table).
     * Anything else (an AVX2-only Intel, another AMD family, another architecture) borrows a
     * table, and {@code cnnc} calibrates it on first use.
     */
    public static boolean hasTable() {
        return Detected.KNOWN;
    }

    static boolean hasTable(List<String> cpuinfo, boolean wide) {
        String vendor = "";
        String family = "";
        for (String line : cpuinfo) {
            if (line.startsWith("vendor_id") && vendor.isEmpty()) vendor = line.substring(line.indexOf(':') + 1).trim();
            if (line.startsWith("cpu family") && family.isEmpty()) family = line.substring(line.indexOf(':') + 1).trim();
        }
        if (vendor.equals("AuthenticAMD")) return family.equals("25") || family.equals("26");
        return vendor.equals("GenuineIntel") && wide;
    }

    /** /proc/cpuinfo's lines (empty where there is none), read once: every Machine built asks. */
    static List<String> cpuinfo() {
        return Detected.CPUINFO;
    }

    private static final class Detected {
        static final List<String> CPUINFO = read();
        static final CpuKind KIND = !VectorRegisters.wide() ? AVX2 : wideKind(CPUINFO);
        static final boolean KNOWN = hasTable(CPUINFO, VectorRegisters.wide());

        private static List<String> read() {
            try {
                return Files.readAllLines(Path.of("/proc/cpuinfo"));
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        }
    }
}
