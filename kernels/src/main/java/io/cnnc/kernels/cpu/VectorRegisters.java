package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * How many vector registers the microkernels size their register blocks for. A block whose
 * accumulators, operands and broadcasts do not fit is spilled by C2 on every iteration, at about
 * half speed (docs/kernels.md, "Register blocking by vector width"). The Vector API does not
 * tell the register count; 16-lane float
 * vectors mean AVX-512 (32 registers), anything narrower is taken as AVX2 or NEON-sized (16).
 * {@code -Dcnnc.cpu.vector-registers=16|32} overrides it; {@code non-native} takes the count
 * this CPU would not, which the tests use to run the other register blocking on whatever machine
 * they are on.
 */
public final class VectorRegisters {

    /** 16 or 32. */
    public static final int COUNT = count();

    private VectorRegisters() {}

    /** Whether the register blocks are the 32-register (AVX-512) ones. */
    public static boolean wide() {
        return COUNT >= 32;
    }

    private static int count() {
        String forced = System.getProperty("cnnc.cpu.vector-registers");
        int nativeCount = FloatVector.SPECIES_PREFERRED.length() >= 16 ? 32 : 16;
        if (forced == null) return nativeCount;
        if (forced.trim().equals("non-native")) return nativeCount == 32 ? 16 : 32;
        int n = Integer.parseInt(forced.trim());
        if (n != 16 && n != 32) throw new IllegalArgumentException("cnnc.cpu.vector-registers must be 16, 32 or non-native, not " + forced);
        return n;
    }
}
