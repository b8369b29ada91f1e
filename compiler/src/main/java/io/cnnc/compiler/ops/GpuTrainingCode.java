package io.cnnc.compiler.ops;

/**
 * What an op's GPU training binding ({@link GpuTrainable}) plans with: buffers by id for its
 * values, parameters and gradients. An input's gradient buffer is overwritten by the first
 * layer that reaches it and added to by the rest, so each launch writing one takes its
 * {@link #beta}.
 */
public interface GpuTrainingCode extends DeviceBuffers {

    /** One of the node's own tensors, and its gradient. */
    int param(String suffix);

    /** A parameter's gradient buffer; a frozen layer has none. */
    int grad(String suffix);

    /** Whether the training plan keeps this layer fixed: it runs forward as at inference (batch norm on its running statistics). */
    boolean frozen();

    /** A tensor of the network on the host, by full name, as the plan starts. */
    float[] tensor(String name);

    /** A buffer holding {@code data}, uploaded once, labelled after the node. */
    int constant(String label, float[] data);

    /** A scratch buffer of {@code floats} floats, labelled after the node. */
    int workspace(String label, long floats);

    /** A dropout mask of {@code count} floats the trainer fills each step, keeping with probability 1 - p. */
    int dropoutMask(long count, double p);

    /** Keeps buffers the node's backward reads ({@link #saved}). */
    void save(int... buffers);

    int[] saved();

    /** The gradient of the loss with respect to the node's output. */
    int dy();

    /** The scratch buffer for convolutions' split weight-gradient sums. */
    int partials();

    /** Whether input {@code i} wants a gradient (it is not the network's input). */
    boolean needsDx(int i);

    /** The gradient buffer of input {@code i}. */
    int dx(int i);

    /** 0 for the first gradient reaching input {@code i}, 1 after; marks it reached. */
    float beta(int i);

    default long count() {
        return in().size() * batch();
    }
}
