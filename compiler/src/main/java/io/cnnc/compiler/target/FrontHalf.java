package io.cnnc.compiler.target;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.passes.InferencePipeline;
import io.cnnc.compiler.plan.MemoryPlan;

/**
 * What every target starts from, computed once per network: the source graph, the planar graph
 * after the inference passes (every value NCHW, before any target's layout choice) and the
 * memory plan of that planar graph.
 */
public record FrontHalf(Graph source, Graph planar, MemoryPlan memory, long passNanos) {

    /** Runs the standard inference passes on {@code source} and plans the memory of the result. */
    public static FrontHalf of(Graph source) {
        long t = System.nanoTime();
        Graph planar = InferencePipeline.standard().apply(source);
        long passes = System.nanoTime() - t;
        return new FrontHalf(source, planar, MemoryPlan.of(planar), passes);
    }
}
