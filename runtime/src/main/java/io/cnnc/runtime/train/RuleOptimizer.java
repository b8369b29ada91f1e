package io.cnnc.runtime.train;

import io.cnnc.compiler.train.UpdateRule;
import java.util.List;
import java.util.Map;

/**
 * An optimizer that applies the training plan's {@link UpdateRule} to each tensor, keeping the
 * rule's state per parameter ({@link OptimizerState}) and the step count, which checkpoints save.
 * Where the engine's generated step carries the same rule, its code applies it.
 */
public class RuleOptimizer implements Optimizer {

    private final UpdateRule rule;
    private final OptimizerState state = new OptimizerState();

    public RuleOptimizer(UpdateRule rule) {
        this.rule = rule;
    }

    public UpdateRule rule() {
        return rule;
    }

    @Override
    public void step(Map<String, float[]> params, Map<String, float[]> grads, double lr) {
        long step = ++state.steps;
        List<String> slots = rule.slots();
        for (var e : grads.entrySet()) {
            float[] p = params.get(e.getKey());
            boolean first = !slots.isEmpty() && !state.has(slots.getFirst(), e.getKey());
            float[][] buffers = new float[slots.size()][];
            for (int i = 0; i < buffers.length; i++) buffers[i] = state.buffer(slots.get(i), e.getKey(), p.length);
            rule.apply(p, e.getValue(), buffers, first, step, lr);
        }
    }

    @Override
    public void step(TrainingEngine engine, Map<String, float[]> params, double lr) {
        if (!engine.appliesUpdate(rule)) {
            step(params, engine.gradients(), lr);
            return;
        }
        engine.update(lr, ++state.steps, state.buffers);
    }

    @Override
    public Map<String, float[]> state() {
        return state.export();
    }

    @Override
    public long steps() {
        return state.steps;
    }

    @Override
    public void restore(Map<String, float[]> saved, long steps) {
        state.restore(saved, steps, rule.slots());
    }
}
