package io.cnnc.compiler.ops;

import io.cnnc.compiler.schedule.Choice;

/**
 * What an op's CPU binding writes its kernel call with: the generated class's names for the
 * node's arrays and tensors. {@link LaidOutOp#cpu} returns the statement; the code generator
 * puts it in {@code forward} in graph order.
 */
public interface CpuCode extends NodeContext {

    /** The node's position in the graph, for names of its own fields. */
    int index();

    /** The array holding input {@code i} (0: the first input). */
    String input(int i);

    default String x() {
        return input(0);
    }

    /** The array the node writes. */
    String y();

    /** A field holding one of the node's own tensors ({@code weight}, {@code running_mean}). */
    String weight(String suffix);

    /** {@code parallel}, or {@code serial} where the layer is too small to share out. */
    String threads();

    /** The strategy chosen for a convolution. */
    Choice choice();

    /** Declares a field of the generated class that {@link #setUp} sets, e.g. a prepared kernel. */
    void field(Class<?> type, String name, String javadoc);

    /** A statement of the generated constructor; {@code w} there is the weights map. */
    void setUp(String format, Object... args);
}
