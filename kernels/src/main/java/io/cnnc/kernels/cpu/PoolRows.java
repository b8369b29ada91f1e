package io.cnnc.kernels.cpu;

import io.cnnc.kernels.PoolGeometry;

/**
 * Scratch of the separable pooling kernels for one task. {@code row} is one padded input row:
 * column {@code padLeft + i} holds input column i, and it is wide enough for the last window
 * even when ceil mode lets that window hang past the right padding. {@code h} holds the
 * horizontal reduction at every window start 0..hw-1 (stride 1), of which stride s keeps
 * every s-th.
 */
final class PoolRows {

    final float[] row;
    final float[] h;
    /** Window starts computed at stride 1: (outW - 1) * strideW + 1. */
    final int hw;

    PoolRows(PoolGeometry g) {
        hw = (g.outW() - 1) * g.strideW() + 1;
        row = new float[Math.max(g.padLeft() + g.inW(), hw - 1 + g.kernelW())];
        h = new float[hw];
    }
}
