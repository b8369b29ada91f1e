package io.cnnc.kernels.cpu.train;

import java.util.SplittableRandom;

/** Dropout while training: each element kept with probability 1 - p and scaled by 1 / (1 - p), the mask drawn in element order. */
public final class Dropout {

    private Dropout() {}

    /** The stream epoch {@code epoch}'s masks come from: every engine draws the same masks, and a resumed run repeats them. */
    public static SplittableRandom epochStream(long seed, int epoch) {
        return new SplittableRandom(seed * 31 + epoch);
    }

    /** Writes {@code y} and the {@code mask} it applied from the first {@code n} elements of {@code x}. */
    public static void forward(float[] x, float[] y, int n, double p, SplittableRandom random, float[] mask) {
        float keep = (float) (1 / (1 - p));
        for (int i = 0; i < n; i++) {
            mask[i] = random.nextDouble() < p ? 0f : keep;
            y[i] = x[i] * mask[i];
        }
    }

    /** {@code dx = dy * mask}, or {@code dx = dy} where no mask was drawn (null). */
    public static void backward(float[] dy, float[] mask, float[] dx, int n) {
        for (int i = 0; i < n; i++) dx[i] = mask == null ? dy[i] : dy[i] * mask[i];
    }
}
