package io.cnnc.runtime.train;

import java.util.HashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba) and AdamW (Loshchilov and Hutter) with PyTorch's update rules: Adam adds
 * weight decay to the gradient, AdamW decays the weights directly by lr*wd.
 */
public final class Adam implements Optimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final Map<String, float[]> m = new HashMap<>();
    private final Map<String, float[]> v = new HashMap<>();
    private long steps;

    public Adam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    @Override
    public void step(Map<String, float[]> params, Map<String, float[]> grads, double lr) {
        steps++;
        double c1 = 1 - Math.pow(beta1, steps);
        double c2 = 1 - Math.pow(beta2, steps);
        for (var e : grads.entrySet()) {
            float[] p = params.get(e.getKey());
            float[] g = e.getValue();
            float[] mm = m.computeIfAbsent(e.getKey(), k -> new float[p.length]);
            float[] vv = v.computeIfAbsent(e.getKey(), k -> new float[p.length]);
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

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> out = new HashMap<>();
        m.forEach((k, a) -> out.put(k + ".exp_avg", a));
        v.forEach((k, a) -> out.put(k + ".exp_avg_sq", a));
        return out;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void restore(Map<String, float[]> state, long steps) {
        this.steps = steps;
        state.forEach((k, a) -> {
            if (k.endsWith(".exp_avg")) m.put(k.substring(0, k.length() - 8), a);
            else if (k.endsWith(".exp_avg_sq")) v.put(k.substring(0, k.length() - 11), a);
        });
    }
}
