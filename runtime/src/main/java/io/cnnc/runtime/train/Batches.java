package io.cnnc.runtime.train;

import io.cnnc.runtime.data.Dataset;
import java.util.SplittableRandom;

/**
 * Mini-batches of a data set in a shuffled order (seeded, so runs repeat), with the
 * augmentations of the train section: random crop with zero padding, horizontal flip.
 */
public final class Batches {

    private final Dataset data;
    private final int batchSize;
    private final int cropPad;
    private final double flipProbability;
    private final long seed;
    private SplittableRandom random;
    private int[] order;

    public Batches(Dataset data, int batchSize, int cropPad, double flipProbability, long seed) {
        this.data = data;
        this.batchSize = batchSize;
        this.cropPad = cropPad;
        this.flipProbability = flipProbability;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** Batches per epoch; the last one may be smaller. */
    public int count() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    /**
     * The order and augmentation draws of {@code epoch}, from a stream of its own, so that a run
     * resumed at any epoch sees exactly the batches an uninterrupted run would (Fisher-Yates).
     */
    public void shuffle(int epoch) {
        random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Fills {@code x} and {@code labels} with batch {@code b}; returns its size. */
    public int fill(int b, float[] x, int[] labels) {
        int from = b * batchSize;
        int n = Math.min(batchSize, data.size() - from);
        int size = data.sampleSize();
        for (int i = 0; i < n; i++) {
            int sample = order == null ? from + i : order[from + i];
            labels[i] = data.labels()[sample];
            if (cropPad == 0 && flipProbability == 0) {
                data.copySample(sample, x, i * size);
            } else {
                augment(sample, x, i * size);
            }
        }
        return n;
    }

    private void augment(int sample, float[] x, int offset) {
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        int dy = cropPad == 0 ? 0 : random.nextInt(2 * cropPad + 1) - cropPad;
        int dx = cropPad == 0 ? 0 : random.nextInt(2 * cropPad + 1) - cropPad;
        boolean flip = flipProbability > 0 && random.nextDouble() < flipProbability;
        int base = sample * c * h * w;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int xx = 0; xx < w; xx++) {
                    int sx = (flip ? w - 1 - xx : xx) + dx;
                    x[offset + (ch * h + y) * w + xx] = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0f : data.value(base + (ch * h + sy) * w + sx);
                }
            }
        }
    }
}
