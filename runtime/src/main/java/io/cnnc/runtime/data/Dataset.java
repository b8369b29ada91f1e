package io.cnnc.runtime.data;

/**
 * Labelled images in memory, already shaped as the network's input {@code [C, H, W]} with
 * values in [0, 1]; {@code images} holds {@code size() * C * H * W} floats.
 */
public record Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int classes) {

    public int size() {
        return labels.length;
    }

    public int sampleSize() {
        return channels * height * width;
    }

    /** The first {@code n} samples (for quick runs and tests). */
    public Dataset head(int n) {
        if (n >= size()) return this;
        return new Dataset(name, java.util.Arrays.copyOf(images, n * sampleSize()), java.util.Arrays.copyOf(labels, n),
                channels, height, width, classes);
    }
}
