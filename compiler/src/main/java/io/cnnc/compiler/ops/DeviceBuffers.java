package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;

/** A node's values as device buffers, by id: what the GPU bindings, inference and training, share. */
public interface DeviceBuffers {

    Node node();

    int batch();

    /** The buffer holding input {@code i}'s value. */
    int input(int i);

    default int x() {
        return input(0);
    }

    /** The buffer the node writes. */
    int y();

    default Shape in() {
        return node().inputShapes().getFirst();
    }

    default int spatial() {
        return in().h() * in().w();
    }
}
