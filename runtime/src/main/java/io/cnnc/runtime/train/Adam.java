package io.cnnc.runtime.train;

import java.util.Map;

/**
 * Adam (Kingma and Ba) and AdamW (Loshchilov and Hutter) with PyTorch's update rules: Adam adds
 * weight decay to the gradient, AdamW decays the weights directly by lr*wd.
 */
public final class Adam extends BufferedOptimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;

    public Adam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super("exp_avg", "exp_avg_sq");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    @Override
    public void step(Map<String, float[]> params, Map<String, float[]> grads, double lr) {
        long steps = ++state.steps;
        double c1 = 1 - Math.pow(beta1, steps);
        double c2 = 1 - Math.pow(beta2, steps);
        for (var e : grads.entrySet()) {
            float[] p = params.get(e.getKey());
            float[] g = e.getValue();
            float[] mm = state.buffer("exp_avg", e.getKey(), p.length);
            float[] vv = state.buffer("exp_avg_sq", e.getKey(), p.length);
            for (int i = 0; i < p.length; i++) {
                double grad = g[i];
                if (decoupled) p[i] -= (float) (lr * weightDecay * p[i]);
                else grad += weightDecay * p[i];
                mm[i] = (float) (beta1 * mm[i] + (1 - beta1) * grad);
                vv[i] = (float) (beta2 * vv[i] + (1 - beta2) * grad * grad);
                p[i] -= (float) (lr * (mm[i] / c1) / (Math.sqrt(vv[i] / c2) + eps));
            }
        }
    }
}
