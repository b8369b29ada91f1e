package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.BatchNormOp;
import io.cnnc.compiler.ops.ConvOp;
import io.cnnc.compiler.ops.FusedConvOp;
import java.util.HashSet;
import java.util.Set;

/**
 * Inference only: a BatchNorm whose input is a convolution read by nothing else becomes part of
 * that convolution. At inference BN is {@code gamma (x - mean) / sqrt(var + eps) + beta}, an
 * affine map per output channel, so it folds into the conv's weight and bias
 * ({@link io.cnnc.compiler.fold.FoldedWeights}); the BN pass over memory disappears.
 */
public final class FoldBatchNorm implements Pass {

    @Override
    public String name() {
        return "fold-batchnorm";
    }

    @Override
    public Graph apply(Graph graph) {
        Uses uses = new Uses(graph);
        Set<Node> folded = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof BatchNormOp) {
                Node producer = n.inputs().getFirst().producer();
                if (producer != null && foldable(producer) && uses.onlyOne(producer.output())) folded.add(producer);
            }
        }
        if (folded.isEmpty()) return graph;
        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            if (folded.contains(n)) {
                r.drop(n);
            } else if (n.op() instanceof BatchNormOp bn && folded.contains(n.inputs().getFirst().producer())) {
                Node conv = n.inputs().getFirst().producer();
                r.replace(n, conv.name(), Fusion.asFused(conv).withBatchNorm(bn, n.name()), conv.inputs());
            } else {
                r.keep(n);
            }
        }
        return r.finish();
    }

    private static boolean foldable(Node producer) {
        return producer.op() instanceof ConvOp
                || producer.op() instanceof FusedConvOp f && f.bn() == null && !f.residual() && f.activation() == null;
    }
}
