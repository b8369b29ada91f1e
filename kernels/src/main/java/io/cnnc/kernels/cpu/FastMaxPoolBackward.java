package io.cnnc.kernels.cpu;

import io.cnnc.kernels.PoolGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling's gradient for 2x2 windows at stride 2 without padding, the common case (LeNet,
 * VGG, U-Nets), on vectors: each window's four inputs come from two rows split into even and
 * odd columns, the gradient goes to the first of them equal to the window's maximum (the
 * reference's choice among ties), and the four masked gradients are interleaved back into the
 * two rows. The scalar search it replaces branched on every comparison, half of them
 * mispredicted: LeNet-5's first pool took 1.1 ms of a 5 ms step on 2 Zen 5 cores.
 */
public final class FastMaxPoolBackward {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane j of the first L interleaved values: a[j/2] at even j, b[j/2] at odd (negative indexes select from b). */
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(S, j -> j % 2 == 0 ? j / 2 : j / 2 - L);
    /** The next L interleaved values: a[L/2 + j/2], b[L/2 + j/2]. */
    private static final VectorShuffle<Float> ZIP_HIGH = VectorShuffle.fromOp(S, j -> j % 2 == 0 ? L / 2 + j / 2 : L / 2 + j / 2 - L);

    private FastMaxPoolBackward() {}

    /** Whether {@link #backward2x2} computes this pool's gradient. */
    public static boolean applies(PoolGeometry g) {
        return g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padTop() == 0 && g.padLeft() == 0
                && 2 * g.outH() <= g.inH() && 2 * g.outW() <= g.inW();
    }

    /** Sets every element of {@code dx} (rows and columns no window covers to zero). */
    public static void backward2x2(float[] x, float[] dy, int batch, PoolGeometry g, float[] dx) {
        boolean tiled = 2 * g.outH() == g.inH() && 2 * g.outW() == g.inW();
        Workers.range(batch * g.channels(), nc -> {
            int in = nc * g.inH() * g.inW();
            if (!tiled) Arrays.fill(dx, in, in + g.inH() * g.inW(), 0f);
            for (int oy = 0; oy < g.outH(); oy++) row(x, dy, dx, in + 2 * oy * g.inW(), g.inW(), (nc * g.outH() + oy) * g.outW(), g.outW());
        });
    }

    /**
     * One output row: input rows at {@code r0} and {@code r0 + inW}, gradients at {@code d}. Every
     * load and store is masked to the row's 2n input columns for its next n outputs: LeNet-5's rows
     * (14 and 5 outputs) are all end, and one loop body keeps the vectors in registers (a helper
     * taking them was not always inlined, and then boxed each one).
     */
    private static void row(float[] x, float[] dy, float[] dx, int r0, int inW, int d, int outW) {
        int r1 = r0 + inW;
        FloatVector zero = FloatVector.zero(S);
        for (int ox = 0; ox < outW; ox += L) {
            int c = 2 * ox;
            int n = Math.min(L, outW - ox);
            VectorMask<Float> first = S.indexInRange(0, 2 * n);
            VectorMask<Float> second = S.indexInRange(L, 2 * n);
            FloatVector t0 = FloatVector.fromArray(S, x, r0 + c, first), t1 = FloatVector.fromArray(S, x, r0 + c + L, second);
            FloatVector b0 = FloatVector.fromArray(S, x, r1 + c, first), b1 = FloatVector.fromArray(S, x, r1 + c + L, second);
            FloatVector grad = FloatVector.fromArray(S, dy, d + ox, S.indexInRange(0, n));
            FloatVector tl = t0.rearrange(PoolRows.EVENS, t1), tr = t0.rearrange(PoolRows.ODDS, t1);
            FloatVector bl = b0.rearrange(PoolRows.EVENS, b1), br = b0.rearrange(PoolRows.ODDS, b1);
            FloatVector m = tl.max(tr).max(bl.max(br));
            VectorMask<Float> takesTl = tl.compare(VectorOperators.EQ, m);
            VectorMask<Float> takesTr = tr.compare(VectorOperators.EQ, m).andNot(takesTl);
            VectorMask<Float> taken = takesTl.or(takesTr);
            VectorMask<Float> takesBl = bl.compare(VectorOperators.EQ, m).andNot(taken);
            taken = taken.or(takesBl);
            FloatVector gTl = zero.blend(grad, takesTl), gTr = zero.blend(grad, takesTr);
            FloatVector gBl = zero.blend(grad, takesBl), gBr = grad.blend(zero, taken);
            gTl.rearrange(ZIP_LOW, gTr).intoArray(dx, r0 + c, first);
            gTl.rearrange(ZIP_HIGH, gTr).intoArray(dx, r0 + c + L, second);
            gBl.rearrange(ZIP_LOW, gBr).intoArray(dx, r1 + c, first);
            gBl.rearrange(ZIP_HIGH, gBr).intoArray(dx, r1 + c + L, second);
        }
    }
}
