package io.cnnc.kernels.backward;

import io.cnnc.kernels.cpu.Workers;

/**
 * The optimizers' updates of one tensor, PyTorch's rules, each in one pass over the tensor:
 * parameter, gradient and state read and written together. A large tensor's pass is cut into
 * chunks on the worker team; each element's arithmetic (in double, rounded once per stored
 * value) is the same either way, so the bits do not depend on the thread count.
 */
public final class OptimizerUpdates {

    /** Elements per chunk: below this, the hand-over costs more than the pass. */
    private static final int CHUNK = 1 << 16;

    private OptimizerUpdates() {}

    /**
     * SGD with L2 weight decay and (Nesterov) momentum: d = g + wd*p; buf = first ? d : m*buf + d;
     * p -= lr * (nesterov ? d + m*buf : buf); without momentum ({@code buf} null), p -= lr * d.
     */
    public static void sgd(float[] p, float[] g, float[] buf, boolean first, double momentum, double weightDecay, boolean nesterov, double lr) {
        chunks(p.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                double d = g[i] + weightDecay * p[i];
                if (buf != null) {
                    buf[i] = (float) (first ? d : momentum * buf[i] + d);
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                p[i] -= (float) (lr * d);
            }
        });
    }

    /**
     * Adam at step {@code step} (from 1) with its bias corrections; weight decay added to the
     * gradient, or ({@code decoupled}, AdamW) taken from the weights directly as lr*wd*p.
     */
    public static void adam(float[] p, float[] g, float[] m, float[] v, long step, double beta1, double beta2, double eps, double weightDecay,
                            boolean decoupled, double lr) {
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        chunks(p.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                double grad = g[i];
                if (decoupled) p[i] -= (float) (lr * weightDecay * p[i]);
                else grad += weightDecay * p[i];
                m[i] = (float) (beta1 * m[i] + (1 - beta1) * grad);
                v[i] = (float) (beta2 * v[i] + (1 - beta2) * grad * grad);
                p[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps));
            }
        });
    }

    /** The state array {@code key} ({@code <param>.<slot>}) of {@code state}, zero and put there where absent. */
    public static float[] slot(java.util.Map<String, float[]> state, String key, int length) {
        return state.computeIfAbsent(key, k -> new float[length]);
    }

    private interface Range {
        void run(int from, int to);
    }

    private static void chunks(int n, Range body) {
        int tasks = (n + CHUNK - 1) / CHUNK;
        if (tasks <= 1) {
            body.run(0, n);
            return;
        }
        Workers.range(tasks, t -> body.run(t * CHUNK, Math.min(n, (t + 1) * CHUNK)));
    }
}
