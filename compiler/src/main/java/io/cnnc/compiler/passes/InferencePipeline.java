package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import java.util.ArrayList;
import java.util.List;

/**
 * The inference passes in order. Residual fusion runs before activation fusion because the
 * add sits between the conv and the ReLU in {@code relu(bn(conv(x)) + r)}.
 */
public final class InferencePipeline {

    private final List<Pass> passes;

    public InferencePipeline(List<Pass> passes) {
        this.passes = List.copyOf(passes);
    }

    public static InferencePipeline standard() {
        return new InferencePipeline(List.of(new EliminateDeadNodes(), new RemoveDropout(), new FoldBatchNorm(),
                new FuseResidual(), new FuseActivation(), new EliminateDeadNodes(), new CanonicalizeConvs()));
    }

    /** The graph after each pass, first the input: for {@code --explain} and for tests. */
    public List<Graph> trace(Graph graph) {
        List<Graph> out = new ArrayList<>();
        out.add(graph);
        for (Pass p : passes) {
            graph = p.apply(graph);
            out.add(graph);
        }
        return out;
    }

    public Graph apply(Graph graph) {
        return trace(graph).getLast();
    }

    public List<Pass> passes() {
        return passes;
    }
}
