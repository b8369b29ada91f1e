package io.cnnc.compiler.ops;

import io.cnnc.kernels.gpu.Launch;
import java.util.List;

/**
 * An op of a graph the inference passes have optimized, before any layout choice: the source
 * ops but a plain convolution (the passes wrap each in a {@link FusedConvOp}) and dropout (removed). What the GPU and
 * TornadoVM targets see.
 */
public sealed interface PlanarOp extends LaidOutOp
        permits FusedConvOp, CommonOp {

    /** The TornadoVM binding: the loop kernels computing this op and their calls. */
    void tornado(TornadoCode t);

    /** The GPU binding (OpenCL and CUDA): the kernel launches computing this op, in order. */
    List<Launch> gpu(GpuCode g);
}
