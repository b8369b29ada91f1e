package io.cnnc.runtime.train;

import java.util.Map;

/** An optimizer whose state is per-parameter buffers in named slots plus a step count. */
abstract class BufferedOptimizer implements Optimizer {

    protected final OptimizerState state;

    BufferedOptimizer(String... slots) {
        this.state = new OptimizerState(slots);
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
        state.restore(saved, steps);
    }
}
