package io.cnnc.kernels.backward;

import io.cnnc.kernels.cpu.Workers;

/**
 * What a convolution's backward does to its output's gradient before its two gradient
 * convolutions read it, in one parallel pass: the mask of the ReLU the layer computed in its
 * epilogue, applied in place, and the bias gradient, summed from the masked values as they go by.
 */
public final class ConvOutputGradient {

    private ConvOutputGradient() {}

    /**
     * dy (batch x channels x spatial) masked in place where {@code reluOutput} is not positive
     * (none where it is null), and its sum per channel added into {@code db} (none where null).
     * Each worker sums its own samples in double; the workers' sums are added in their order, so
     * the same thread count gives the same bits.
     */
    public static void maskAndSumBias(float[] dy, float[] reluOutput, float[] db, int batch, int channels, int spatial) {
        if (reluOutput == null && db == null) return;
        int workers = Workers.count(batch);
        double[][] sums = new double[workers][channels];
        Workers.range(workers, t -> {
            double[] mine = sums[t];
            for (int n = t; n < batch; n += workers) {
                for (int c = 0; c < channels; c++) {
                    mine[c] += RowSums.maskInPlaceAndSum(dy, reluOutput, (n * channels + c) * spatial, spatial);
                }
            }
        });
        if (db == null) return;
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (double[] w : sums) s += w[c];
            db[c] += (float) s;
        }
    }
}
