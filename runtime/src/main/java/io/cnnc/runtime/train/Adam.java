package io.cnnc.runtime.train;

import io.cnnc.compiler.train.UpdateRule;

/** Adam (Kingma and Ba) and, {@code decoupled}, AdamW (Loshchilov and Hutter) ({@link UpdateRule.Adam}). */
public final class Adam extends RuleOptimizer {

    public Adam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(new UpdateRule.Adam(beta1, beta2, eps, weightDecay, decoupled));
    }
}
