package io.cnnc.compiler.train;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.kernels.backward.OptimizerUpdates;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import java.util.List;

/**
 * The training plan's last step: how the optimizer updates each learned tensor from its
 * gradient, defined once for every path that trains (PyTorch's rules; OptimizerTest holds them
 * to torch.optim). The state each rule keeps per tensor is named by its slots, which checkpoints
 * save as {@code <param>.<slot>}.
 */
public sealed interface UpdateRule {

    /** The state tensors per parameter, each as long as the parameter, zero before the first step. */
    List<String> slots();

    /** One step of {@code p} from {@code g}: {@code state} holds the slots' arrays in order; {@code first} on a tensor's first step; {@code step} counts from 1. */
    void apply(float[] p, float[] g, float[][] state, boolean first, long step, double lr);

    /**
     * {@link #apply} as statements of a generated training step, for the tensor {@code name} of
     * {@code length} floats in the fields {@code param} and {@code grad}; the step's code names the
     * learning rate {@code lr}, the step count {@code step} and the state map {@code state}
     * ({@code <param>.<slot>}, a slot created where absent, as on a tensor's first step).
     */
    CodeBlock code(String param, String grad, String name, int length);

    /** The plan's text form, the train section's syntax: {@code sgd(momentum=0.9, weight_decay=0.0005, nesterov=false)}. */
    String print();

    /** The same step on a device: buffers of the parameter, its gradient and its slots' state, in float. */
    Launch gpu(int param, int grad, int[] state, long count, boolean first, long step, double lr);

    /** SGD with L2 weight decay and optionally (Nesterov) momentum. */
    record Sgd(double momentum, double weightDecay, boolean nesterov) implements UpdateRule {
        @Override
        public List<String> slots() {
            return momentum == 0 ? List.of() : List.of("momentum");
        }

        @Override
        public void apply(float[] p, float[] g, float[][] state, boolean first, long step, double lr) {
            OptimizerUpdates.sgd(p, g, state.length == 0 ? null : state[0], first, momentum, weightDecay, nesterov, lr);
        }

        @Override
        public CodeBlock code(String param, String grad, String name, int length) {
            if (momentum == 0) {
                return CodeBlock.builder().addStatement("$T.sgd($L, $L, null, false, 0, $L, $L, lr)", OptimizerUpdates.class, param, grad,
                        Double.toString(weightDecay), nesterov).build();
            }
            String key = name + ".momentum";
            return CodeBlock.builder().beginControlFlow("")
                    .addStatement("boolean first = !state.containsKey($S)", key)
                    .addStatement("$T.sgd($L, $L, $T.slot(state, $S, $L), first, $L, $L, $L, lr)", OptimizerUpdates.class, param, grad,
                            OptimizerUpdates.class, key, length, Double.toString(momentum), Double.toString(weightDecay), nesterov)
                    .endControlFlow().build();
        }

        @Override
        public Launch gpu(int param, int grad, int[] state, long count, boolean first, long step, double lr) {
            return TrainingLaunches.sgdStep(param, grad, state.length == 0 ? Arg.NO_BUFFER : state[0], count, (float) lr, (float) momentum,
                    (float) weightDecay, nesterov, first);
        }

        @Override
        public String print() {
            return "sgd(momentum=" + IrPrinter.num(momentum) + ", weight_decay=" + IrPrinter.num(weightDecay) + ", nesterov=" + nesterov + ")";
        }
    }

    /** Adam, or AdamW where the weight decay is {@code decoupled} from the gradient. */
    record Adam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled) implements UpdateRule {
        @Override
        public List<String> slots() {
            return List.of("exp_avg", "exp_avg_sq");
        }

        @Override
        public void apply(float[] p, float[] g, float[][] state, boolean first, long step, double lr) {
            OptimizerUpdates.adam(p, g, state[0], state[1], step, beta1, beta2, eps, weightDecay, decoupled, lr);
        }

        @Override
        public CodeBlock code(String param, String grad, String name, int length) {
            return CodeBlock.builder().addStatement("$T.adam($L, $L, $T.slot(state, $S, $L), $T.slot(state, $S, $L), step, $L, $L, $L, $L, $L, lr)",
                    OptimizerUpdates.class, param, grad, OptimizerUpdates.class, name + ".exp_avg", length, OptimizerUpdates.class,
                    name + ".exp_avg_sq", length, Double.toString(beta1), Double.toString(beta2), Double.toString(eps), Double.toString(weightDecay),
                    decoupled).build();
        }

        @Override
        public Launch gpu(int param, int grad, int[] state, long count, boolean first, long step, double lr) {
            return TrainingLaunches.adamStep(param, grad, state[0], state[1], count, (float) lr, (float) beta1, (float) beta2, (float) eps,
                    (float) weightDecay, decoupled, (float) (1 - Math.pow(beta1, step)), (float) (1 - Math.pow(beta2, step)), first);
        }

        @Override
        public String print() {
            return (decoupled ? "adamw" : "adam") + "(beta1=" + IrPrinter.num(beta1) + ", beta2=" + IrPrinter.num(beta2) + ", eps="
                    + IrPrinter.num(eps) + ", weight_decay=" + IrPrinter.num(weightDecay) + ")";
        }
    }
}
