package io.cnnc.kernels.cpu.conv;

/**
 * One convolution layer made ready to run: weights already packed or transformed for its
 * strategy, scratch allocated. NCHW in and out; {@code residual} has the output's shape and is
 * read only when the epilogue asks for it (otherwise it may be null). Safe to call repeatedly;
 * not safe to call from two threads at once (scratch is shared).
 */
public interface ConvKernel {

    void forward(float[] x, float[] residual, float[] y, int batch);

    /**
     * Takes new weights of the same shape ([outC, inC/groups, kH, kW], not modified), keeping
     * everything else it prepared and decided: training changes the weights at every step, and
     * a kernel prepared anew re-times its ways ({@link #settled}) and reallocates. False where
     * the kernel cannot, and a new one must be prepared.
     */
    default boolean replaceWeights(float[] weight) {
        return false;
    }

    /**
     * Runs samples [from, from + count) of the whole batch's arrays in place, on the calling
     * thread: training splits a batch across threads, and a kernel that reads and writes from the
     * start of its arrays made every slice but the first copy its input in and its output out,
     * leaving the first slice's thread idle for as long. False where the kernel cannot; the
     * caller copies the slice and calls {@link #forward} then.
     */
    default boolean forwardSamples(float[] x, float[] residual, float[] y, int from, int count) {
        return false;
    }

    /** The strategy's tile sizes and other choices, for {@code cnnc compile --explain}. */
    String tiling();

    /**
     * False while the kernel is still timing its ways of running at its first calls (see
     * FastestWay): a measurement of it should wait until it has settled.
     */
    default boolean settled() {
        return true;
    }

    /** What the kernel decided for itself while running (for {@code cnnc run --profile}); empty when nothing. */
    default String decided() {
        return "";
    }
}
