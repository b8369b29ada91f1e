package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.backward.ConvOutputGradient;

/**
 * Transposed convolution on the CPU, described by the convolution {@code g} it transposes
 * ({@link io.cnnc.kernels.reference.TransposedConvReference}): its forward is that
 * convolution's data gradient (a transposed GEMM and col2im), its data gradient that
 * convolution's forward, and its weight gradient that convolution's weight gradient with the
 * roles of input and output gradient swapped.
 */
public final class TransposedConv {

    private TransposedConv() {}

    /** y = the transposed convolution of x, plus bias per output channel when non-null. */
    public static void forward(float[] x, int batch, ConvGeometry g, float[] weight, float[] bias, float[] y) {
        Im2colConv.backward(null, x, batch, g, weight, y, null, null);
        if (bias == null) return;
        int spatial = g.inH() * g.inW();
        Workers.forEach(batch, () -> null, (n, unused) -> {
            for (int c = 0; c < g.inC(); c++) {
                int at = (n * g.inC() + c) * spatial;
                float b = bias[c];
                for (int i = 0; i < spatial; i++) y[at + i] += b;
            }
        });
    }

    /** dx (when non-null) from dy; dw and db (when non-null) added into. x is the forward's input. */
    public static void backward(float[] x, float[] dy, int batch, ConvGeometry g, float[] weight, float[] dx, float[] dw, float[] db) {
        if (dx != null) Im2colConv.forward(dy, batch, g, weight, null, dx);
        if (dw != null) Im2colConv.backward(dy, x, batch, g, null, null, dw, null);
        if (db != null) ConvOutputGradient.maskAndSumBias(dy, null, db, batch, g.inC(), g.inH() * g.inW());
    }
}
