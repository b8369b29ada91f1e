package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;

/** The node an op's binding is written for, and the shapes every binding reads from it. */
public interface NodeContext {

    Node node();

    /** The shape of the first input, one sample. */
    default Shape in() {
        return node().inputShapes().getFirst();
    }

    /** Height times width of the first input. */
    default int spatial() {
        return in().h() * in().w();
    }
}
