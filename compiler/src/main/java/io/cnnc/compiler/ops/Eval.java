package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import java.util.List;
import java.util.function.Function;

/**
 * One node's arrays for an eager computation of it: its inputs and output, each
 * {@code [batch, C, H, W]} flattened, and the network's tensors by full name.
 */
public record Eval(Node node, int batch, List<float[]> inputs, float[] output, Function<String, float[]> tensors) implements NodeContext {

    public float[] x() {
        return inputs.getFirst();
    }

    public float[] input(int i) {
        return inputs.get(i);
    }

    public Shape out() {
        return node.output().shape();
    }

    public List<Shape> inputShapes() {
        return node.inputShapes();
    }

    /** One of this node's own tensors, by suffix ({@code weight}, {@code running_mean}). */
    public float[] param(String suffix) {
        return tensor(node.name() + "." + suffix);
    }

    /** Any tensor of the network by full name: fused ops read their parts' tensors. */
    public float[] tensor(String name) {
        float[] t = tensors.apply(name);
        if (t == null) throw new IllegalStateException("no weight " + name);
        return t;
    }

    /** The channel counts of every input, for concatenation. */
    public int[] inputChannels() {
        return node.inputShapes().stream().mapToInt(Shape::c).toArray();
    }
}
