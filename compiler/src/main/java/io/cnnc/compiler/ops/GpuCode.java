package io.cnnc.compiler.ops;

import io.cnnc.compiler.target.gpu.GpuConvChooser;

/**
 * What an op's GPU binding plans with ({@link PlanarOp#gpu}): device buffers, by id, for the
 * node's values and the tensors it uploads. Nothing here talks to a device.
 */
public interface GpuCode extends DeviceBuffers {

    /** A tensor of the network by full name (it must exist). */
    float[] tensor(String name);

    /** Uploads one of the node's own tensors ({@code weight}) as a weight buffer. */
    default int weight(String suffix) {
        String name = node().name() + "." + suffix;
        return upload(name, tensor(name));
    }

    /** Uploads {@code data} as a weight buffer labelled {@code label} in the plan. */
    int upload(String label, float[] data);

    /** The strategy chosen for a convolution. */
    GpuConvChooser.Choice convChoice();

    /** The network's two shared scratch buffers for convolutions (Arg.NO_BUFFER where none is needed). */
    int workspaceA();

    int workspaceB();
}
