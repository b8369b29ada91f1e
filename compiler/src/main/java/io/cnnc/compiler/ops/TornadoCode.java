package io.cnnc.compiler.ops;

import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.codegen.tornado.LoopKernelWriter;

/**
 * What an op's TornadoVM binding writes with ({@link PlanarOp#tornado}): it adds its loop
 * kernels to the generated class and the calls of them, in order, to the task graph.
 */
public interface TornadoCode extends NodeContext {

    int batch();

    /** The name for this node's kernel; {@code part} numbers the kernels of a node with several. */
    String kernelName();

    String kernelName(int part);

    /** The array holding input {@code i}. */
    String input(int i);

    default String x() {
        return input(0);
    }

    String y();

    /** The writer of the loop kernels layers share (convolution, pooling, elementwise...). */
    LoopKernelWriter loops();

    /** Adds a kernel method to the generated class. */
    void kernel(MethodSpec kernel);

    /** A call of a kernel with array arguments: a task of the graph. */
    void call(String kernel, String... args);

    /** A field holding a tensor of the network, which must exist. */
    String weight(String name);

    /** A field holding one of the node's own tensors ({@code weight}), which must exist. */
    default String param(String suffix) {
        return weight(node().name() + "." + suffix);
    }

    /** A field holding a tensor, or {@code zeros} zeros where the network has none (a conv without bias). */
    String weightOrZeros(String name, int zeros);

    /** A field of {@code floats} floats that {@link #setUp} statements fill. */
    String buffer(int floats);

    /** A statement of the generated constructor; {@code w} there is the weights map. */
    void setUp(String format, Object... args);
}
