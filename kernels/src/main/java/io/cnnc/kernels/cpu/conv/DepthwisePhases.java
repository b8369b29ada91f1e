package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * A depthwise convolution's planes laid out so that each tap is a flat run: the padded input
 * plane split into its stride phases (stride 1: one phase, the padded plane), each {@code width}
 * wide, and dy's plane on the same row width with zero columns past its own. Tap (ky, kx) at
 * output pixel q of dy's rows reads phase (ky % s, kx % s) at q + {@link #offsets}[tap], so the
 * weight gradient's taps are dot products and the data gradient's are multiply-adds of runs.
 */
final class DepthwisePhases {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    final ConvGeometry g;
    final int taps;
    final int outPixels;
    /** dy's rows, and the phases' rows the taps reach past them. */
    final int rows;
    final int width;
    final int phaseRows;
    final int phaseFloats;
    /** Where each tap's run starts in the phases, in kernel order. */
    final int[] offsets;

    DepthwisePhases(ConvGeometry g) {
        this.g = g;
        this.taps = g.kernelH() * g.kernelW();
        this.outPixels = g.outH() * g.outW();
        this.rows = g.outH();
        this.width = g.outW() + (g.kernelW() - 1) / g.strideW();
        // One row more than the taps reach: a masked tail's lanes stay inside the plane.
        this.phaseRows = g.outH() + (g.kernelH() - 1) / g.strideH() + 1;
        // Rounded up to whole vectors plus one, so that the last tap's unmasked tail stays in the array.
        this.phaseFloats = phaseRows * width + L;
        this.offsets = new int[taps];
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++) {
                int phase = (ky % g.strideH()) * g.strideW() + kx % g.strideW();
                offsets[ky * g.kernelW() + kx] = phase * phaseFloats + (ky / g.strideH()) * width + kx / g.strideW();
            }
        }
    }

    /**
     * Input plane at {@code from} as its stride phases: phase (a, b) holds padded pixel
     * (s*i + a, s*j + b) at [i][j]. Only the input's own pixels are written: the padding's
     * places are the same from plane to plane and stay zero from the array's allocation.
     */
    void phases(float[] x, int from, float[] out) {
        int sh = g.strideH(), sw = g.strideW();
        if (sh == 1 && sw == 1) {
            for (int y = 0; y < g.inH(); y++) copy(x, from + y * g.inW(), out, (y + g.padTop()) * width + g.padLeft(), g.inW());
            return;
        }
        for (int y = 0; y < g.inH(); y++) {
            int py = y + g.padTop();
            // Rows and columns past the last tap's reach (stride 2 over an even edge) are read by no tap.
            if (py / sh >= phaseRows) break;
            int row = ((py % sh) * sw) * phaseFloats + (py / sh) * width;
            int src = from + y * g.inW();
            for (int b = 0; b < sw; b++) {
                // Column phase b: the input columns xx with (xx + padLeft) % sw == b, at j = (xx + padLeft) / sw.
                int first = Math.floorMod(b - g.padLeft(), sw);
                int dst = row + b * phaseFloats;
                for (int xx = first, j = (first + g.padLeft()) / sw; xx < g.inW() && j < width; xx += sw, j++) out[dst + j] = x[src + xx];
            }
        }
    }

    /** An array for {@link #phases}: every phase, its padding zero (the places the input's pixels never take). */
    float[] newPhases() {
        return new float[phaseFloats * g.strideH() * g.strideW()];
    }

    /** An array for {@link #onRows}, a vector of zeros past its runs so that whole vectors may read over their end. */
    float[] newRows() {
        return new float[rows * width + L];
    }

    /** The inverse of {@link #phases}: the input's own pixels of the phases into the plane at {@code to} of dx. */
    void fromPhases(float[] in, float[] dx, int to) {
        int sh = g.strideH(), sw = g.strideW();
        if (sh == 1 && sw == 1) {
            for (int y = 0; y < g.inH(); y++) copy(in, (y + g.padTop()) * width + g.padLeft(), dx, to + y * g.inW(), g.inW());
            return;
        }
        for (int y = 0; y < g.inH(); y++) {
            int py = y + g.padTop();
            int dst = to + y * g.inW();
            if (py / sh >= phaseRows) {
                java.util.Arrays.fill(dx, dst, dst + g.inW(), 0f);
                continue;
            }
            int row = ((py % sh) * sw) * phaseFloats + (py / sh) * width;
            for (int b = 0; b < sw; b++) {
                int first = Math.floorMod(b - g.padLeft(), sw);
                int src = row + b * phaseFloats;
                int xx = first;
                for (int j = (first + g.padLeft()) / sw; xx < g.inW() && j < width; xx += sw, j++) dx[dst + xx] = in[src + j];
                // Columns past the last tap's reach get no gradient.
                for (; xx < g.inW(); xx += sw) dx[dst + xx] = 0f;
            }
        }
    }

    /** dy's plane at {@code from} on rows of {@code width}; the columns past its own stay zero from the allocation. */
    void onRows(float[] dy, int from, float[] out) {
        int outW = g.outW();
        for (int r = 0; r < rows; r++) copy(dy, from + r * outW, out, r * width, outW);
    }


    /** n floats from src to dst by vectors, the last one masked: rows are short, and arraycopy's call cost as much as the copy. */
    static void copy(float[] src, int from, float[] dst, int to, int n) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(S, src, from + i).intoArray(dst, to + i);
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, src, from + i, m).intoArray(dst, to + i, m);
        }
    }
}
