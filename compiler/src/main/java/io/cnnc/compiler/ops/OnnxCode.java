package io.cnnc.compiler.ops;

import io.cnnc.kernels.OnnxGraph;
import java.util.List;

/**
 * What an op's ONNX export writes with ({@link SourceOp#onnx}): the exporter's graph, plus the
 * names of the node's values and its tensors as initializers. Values stay {@code [N, C, H, W]}.
 */
public interface OnnxCode extends OnnxGraph, NodeContext {

    /** The ONNX name of input {@code i}. */
    String input(int i);

    default String x() {
        return input(0);
    }

    /** The name the node's output must have (derived from its layer name). */
    String output();

    /** Adds a node named {@code name} (rather than after its op type); returns {@code output}. */
    String namedNode(String op, String name, List<String> inputs, String output, Attribute... attributes);

    /** One of the node's own tensors as an initializer of shape {@code dims}; returns its name. */
    String weight(String suffix, long... dims);

    /** An int64 initializer holding {@code values} (a Reshape's shape); returns its name. */
    String ints(long... values);

    /** A float initializer holding {@code values} as a vector (Resize's scales); returns its name. */
    String floats(float... values);
}
