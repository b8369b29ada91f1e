package io.cnnc.runtime.train;

import io.cnnc.compiler.train.UpdateRule;

/** Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay ({@link UpdateRule.Sgd}). */
public final class Sgd extends RuleOptimizer {

    public Sgd(double momentum, double weightDecay, boolean nesterov) {
        super(new UpdateRule.Sgd(momentum, weightDecay, nesterov));
    }
}
