package io.cnnc.runtime.cli;

import io.cnnc.runtime.io.FormatException;
import java.nio.file.Path;
import java.util.Arrays;

/** Refuses an input holding NaN or an infinity, which would run through and print a meaningless top-1. */
final class FiniteInput {

    private FiniteInput() {}

    /** {@code shape}: the array's shape as the user gave it, for naming the first bad element's index. */
    static void require(Path path, float[] data, int[] shape) throws FormatException {
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                throw new FormatException(path, data[i] + " at index " + Arrays.toString(index(i, shape))
                        + " (shape " + Arrays.toString(shape) + "); inputs must be finite numbers");
            }
        }
    }

    /** The row-major multi-index of flat position {@code flat}. */
    private static int[] index(int flat, int[] shape) {
        int[] ix = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            ix[k] = flat % shape[k];
            flat /= shape[k];
        }
        return ix;
    }
}
