package io.cnnc.runtime.train;

import java.util.HashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, with
 * PyTorch's update rule: g += wd*p; buf = m*buf + g; p -= lr * (nesterov ? g + m*buf : buf).
 */
public final class Sgd implements Optimizer {

    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final Map<String, float[]> buffers = new HashMap<>();
    private long steps;

    public Sgd(double momentum, double weightDecay, boolean nesterov) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    public void step(Map<String, float[]> params, Map<String, float[]> grads, double lr) {
        steps++;
        for (var e : grads.entrySet()) {
            float[] p = params.get(e.getKey());
            float[] g = e.getValue();
            float[] buf = momentum == 0 ? null : buffers.computeIfAbsent(e.getKey(), k -> new float[p.length]);
            boolean first = buf != null && steps == 1;
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

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> out = new HashMap<>();
        buffers.forEach((k, v) -> out.put(k + ".momentum", v));
        return out;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void restore(Map<String, float[]> state, long steps) {
        this.steps = steps;
        state.forEach((k, v) -> {
            if (k.endsWith(".momentum")) buffers.put(k.substring(0, k.length() - 9), v);
        });
    }
}
