package io.cnnc.compiler.ops;

import io.cnnc.kernels.gpu.Launch;
import java.util.List;

/**
 * A source op with GPU training kernels: the GPU training planner asks it for its launches, and
 * rejects a network, naming the layers, where an op is not one of these.
 */
public interface GpuTrainable {

    /** The forward launches in training mode (batch statistics, dropout masks). */
    List<Launch> gpuForward(GpuTrainingCode t);

    /** Appends the backward launches: parameter gradients, and input gradients where wanted. */
    void gpuBackward(GpuTrainingCode t, List<Launch> out);
}
