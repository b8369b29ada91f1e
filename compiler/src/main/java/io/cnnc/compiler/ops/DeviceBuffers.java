package io.cnnc.compiler.ops;


/** A node's values as device buffers, by id: what the GPU bindings, inference and training, share. */
public interface DeviceBuffers extends NodeContext {

    int batch();

    /** The buffer holding input {@code i}'s value. */
    int input(int i);

    default int x() {
        return input(0);
    }

    /** The buffer the node writes. */
    int y();
}
