package io.cnnc.kernels.backward;

import io.cnnc.kernels.cpu.Workers;
import io.cnnc.kernels.cpu.layout.Nchwc;

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
        maskAndSumBias(dy, reluOutput, db, batch, channels, spatial, false);
    }

    /** As above, dy and the ReLU's output NCHWc where {@code blocked} ({@link Nchwc}): each lane of a block's plane one channel. */
    public static void maskAndSumBias(float[] dy, float[] reluOutput, float[] db, int batch, int channels, int spatial, boolean blocked) {
        if (reluOutput == null && db == null) return;
        int workers = Workers.count(batch);
        double[][] sums = new double[workers][channels];
        Workers.range(workers, t -> {
            double[] mine = sums[t];
            for (int n = t; n < batch; n += workers) {
                if (blocked) {
                    maskAndSumBlocked(dy, reluOutput, n, channels, spatial, mine);
                    continue;
                }
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

    /** Sample n's blocks: dy masked in place, each lane's sum added to its channel's in {@code sums}. */
    private static void maskAndSumBlocked(float[] dy, float[] reluOutput, int n, int channels, int spatial, double[] sums) {
        int b = Nchwc.BLOCK;
        for (int k = 0; k < channels / b; k++) {
            int off = (n * channels + k * b) * spatial;
            for (int i = 0; i < spatial * b; i++) {
                if (reluOutput != null && !(reluOutput[off + i] > 0)) dy[off + i] = 0f;
                sums[k * b + i % b] += dy[off + i];
            }
        }
    }
}
