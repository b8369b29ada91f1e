package io.cnnc.runtime.data;

/**
 * Labelled images in memory, already shaped as the network's input {@code [C, H, W]} with
 * values in [0, 1]: as floats ({@code images}), or, where every value is an 8-bit pixel over 255
 * (MNIST, Fashion-MNIST and CIFAR-10 fitted by padding, cropping or copying channels), as those
 * bytes ({@code pixels}), a quarter of the memory: Fashion-MNIST in a 32x32 RGB ResNet-20 was 737
 * MB of floats. Exactly one of the two is set; {@link #value} and {@link #copySample} read either.
 */
public record Dataset(String name, float[] images, byte[] pixels, int[] labels, int channels, int height, int width, int classes) {

    /** k / 255 as the float loaders computed it, for every byte k. */
    private static final float[] LEVELS = new float[256];

    static {
        for (int k = 0; k < 256; k++) LEVELS[k] = (float) (k / 255.0);
    }

    public Dataset {
        if ((images == null) == (pixels == null)) throw new IllegalArgumentException("a data set holds floats or bytes, one of the two");
    }

    /** Images as floats. */
    public Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int classes) {
        this(name, images, null, labels, channels, height, width, classes);
    }

    /** Images as 8-bit pixels, each value pixel / 255. */
    public static Dataset ofPixels(String name, byte[] pixels, int[] labels, int channels, int height, int width, int classes) {
        return new Dataset(name, null, pixels, labels, channels, height, width, classes);
    }

    public int size() {
        return labels.length;
    }

    public int sampleSize() {
        return channels * height * width;
    }

    /** The value at {@code index} of all samples' values in order ([size, C, H, W]). */
    public float value(int index) {
        return images != null ? images[index] : LEVELS[Byte.toUnsignedInt(pixels[index])];
    }

    /** Sample {@code sample}'s values into {@code dst} from {@code offset}. */
    public void copySample(int sample, float[] dst, int offset) {
        int size = sampleSize();
        if (images != null) {
            System.arraycopy(images, sample * size, dst, offset, size);
            return;
        }
        int base = sample * size;
        for (int i = 0; i < size; i++) dst[offset + i] = LEVELS[Byte.toUnsignedInt(pixels[base + i])];
    }

    /** The first {@code n} samples (for quick runs and tests). */
    public Dataset head(int n) {
        if (n >= size()) return this;
        return new Dataset(name, images == null ? null : java.util.Arrays.copyOf(images, n * sampleSize()),
                pixels == null ? null : java.util.Arrays.copyOf(pixels, n * sampleSize()), java.util.Arrays.copyOf(labels, n),
                channels, height, width, classes);
    }
}
