package io.cnnc.kernels.gpu;

import java.util.Arrays;
import java.util.List;

/**
 * One kernel enqueue: the kernel's name in {@link GpuSource}, the global size (total work-items
 * per dimension, a multiple of the local size) and the local (work-group, CUDA block) size, and
 * its arguments in order. The same launch runs on OpenCL and, as grid = global / local, on CUDA.
 */
public record Launch(String kernel, long[] global, long[] local, List<Arg> args) {

    public Launch {
        if (global.length != 3 || local.length != 3) throw new IllegalArgumentException("launches are three-dimensional");
        for (int i = 0; i < 3; i++) {
            if (local[i] < 1 || global[i] < local[i] || global[i] % local[i] != 0) {
                throw new IllegalArgumentException(kernel + ": global size " + Arrays.toString(global)
                        + " is not a positive multiple of local size " + Arrays.toString(local));
            }
        }
        args = List.copyOf(args);
    }

    /** Work-groups per dimension (CUDA's grid). */
    public long[] groups() {
        return new long[] {global[0] / local[0], global[1] / local[1], global[2] / local[2]};
    }

    static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** One-dimensional launch over {@code count} items in groups of 64: what an op's GPU binding builds for an elementwise-style kernel. */
    public static Launch linear(String kernel, long count, List<Arg> args) {
        return new Launch(kernel, new long[] {roundUp(Math.max(count, 1), 64), 1, 1}, new long[] {64, 1, 1}, args);
    }

    public String describe() {
        return kernel + " global " + dims(global) + " local " + dims(local);
    }

    private static String dims(long[] d) {
        return d[0] + "x" + d[1] + "x" + d[2];
    }
}
