package io.cnnc.runtime.cli;

import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.gpu.GpuBackend;
import io.cnnc.runtime.gpu.GpuTarget;
import io.cnnc.runtime.gpu.GpuTrainer;
import io.cnnc.runtime.train.TrainingOptions;
import java.io.PrintWriter;
import java.util.Map;

/** {@code cnnc train --target opencl|cuda}: the device and its trainer, with the limits of device training checked up front. */
record DeviceTraining(GpuBackend backend, GpuTrainer trainer) implements AutoCloseable {

    static DeviceTraining open(GpuTarget target, Graph graph, Map<String, Tensor> params, TrainingOptions o, java.util.Set<String> frozen,
                               PrintWriter out) {
        String flag = "--target " + target.label();
        GpuBackend backend;
        try {
            backend = target.open();
        } catch (IllegalStateException e) {
            throw new UserError(flag + ": " + e.getMessage());
        }
        try {
            GpuTrainer trainer = new GpuTrainer(backend, TrainingPlan.derive(graph, frozen, o.updateRule()), params, o.batch(),
                    o.labelSmoothing(), o.seed());
            out.println("training on " + backend.deviceName() + " (" + trainer.plan().forward().size() + " forward and "
                    + trainer.plan().backward().size() + " backward launches per step; the last partial batch of an epoch is dropped)");
            return new DeviceTraining(backend, trainer);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            backend.close();
            throw new UserError(flag + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        trainer.close();
        backend.close();
    }
}
