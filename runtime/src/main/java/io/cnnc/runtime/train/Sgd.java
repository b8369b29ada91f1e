package io.cnnc.runtime.train;

import java.util.Map;

/**
 * Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, with
 * PyTorch's update rule: g += wd*p; buf = m*buf + g; p -= lr * (nesterov ? g + m*buf : buf).
 */
public final class Sgd extends BufferedOptimizer {

    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;

    public Sgd(double momentum, double weightDecay, boolean nesterov) {
        super("momentum");
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    public void step(Map<String, float[]> params, Map<String, float[]> grads, double lr) {
        state.steps++;
        for (var e : grads.entrySet()) {
            float[] p = params.get(e.getKey());
            float[] g = e.getValue();
            boolean first = momentum != 0 && !state.has("momentum", e.getKey());
            float[] buf = momentum == 0 ? null : state.buffer("momentum", e.getKey(), p.length);
            for (int i = 0; i < p.length; i++) {
                double d = g[i] + weightDecay * p[i];
                if (buf != null) {
                    buf[i] = (float) (first ? d : momentum * buf[i] + d);
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                p[i] -= (float) (lr * d);
            }
        }
    }
}
