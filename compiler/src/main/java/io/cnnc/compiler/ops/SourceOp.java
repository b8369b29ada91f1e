package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

/**
 * An op a network is written in (by the language or by ONNX import): what training and ONNX
 * export see. Each one states how it trains: its forward in training mode and its gradient rule.
 */
public sealed interface SourceOp extends Op
        permits ConvOp, DropoutOp, CommonOp {

    /**
     * The forward pass while training. Most ops compute what they compute at inference; batch
     * norm (batch statistics) and dropout (masks) override it.
     */
    default void trainingForward(Eval e, TrainingStep step) {
        reference(e);
    }

    /**
     * The gradient rule: adds into {@code g}'s input gradients what the loss's gradient
     * {@code g.dy()} implies, and into the parameter gradients (absent for frozen layers).
     * {@code e} holds the forward pass's inputs and output.
     */
    void backward(Eval e, Gradient g);

    /**
     * The training forward as code for the generated training step: by default the inference
     * binding, for an op whose training forward computes what inference does.
     */
    default CodeBlock trainingForward(TrainingCode c) {
        if (this instanceof LaidOutOp op) return op.cpu(c.inference());
        throw new UnsupportedOperationException(type() + " has no training forward binding");
    }

    /** The gradient rule as code for the generated training step: what {@link #backward(Eval, Gradient)} computes. */
    CodeBlock backward(TrainingCode c);

    /** Which NCHWc tensors the generated training step's bindings take ({@link TrainingCode#blocked()}). */
    default BlockedTraining blockedTraining() {
        return BlockedTraining.NONE;
    }

    /**
     * Whether the op trains with the ReLU that follows it folded in (a training-plan fusion):
     * its training forward then writes max(0, output) when {@link TrainingStep#relu} says so, and
     * its gradient rule takes the ReLU's output gradient and masks it by {@link Gradient#reluOutput}
     * in its own passes, so the ReLU costs no pass of its own either way.
     */
    default boolean absorbsRelu() {
        return false;
    }

    /** Whether it absorbs a ReLU6 the same way ({@link TrainingStep#reluCeiling} 6): clamped on both sides, masked where 0 < out < 6. */
    default boolean absorbsRelu6() {
        return false;
    }

    /**
     * Whether the training forward writes every element of its output and the gradient rule sets
     * (rather than adds into) every element of each input gradient it is given: the trainer then
     * reuses those buffers without clearing them, which for ResNet-20 at batch 128 was 0.6 GB of
     * zeros a step. Tests check it by filling the buffers with NaN instead.
     */
    default boolean overwrites() {
        return false;
    }

    /**
     * What the gradient rule reads of the forward pass besides what it saved: where none of a
     * value's readers reads it, the training memory plan drops it after the forward pass instead
     * of keeping it for the backward. The trainer hands a dropped value to the rule as null. A
     * folded ReLU's mask is the op's output whatever this says (the plan keeps it).
     */
    default BackwardReads backwardReads() {
        return BackwardReads.INPUTS_AND_OUTPUT;
    }

    /** What a gradient rule reads: the forward's inputs ({@link Eval#inputs}), its output ({@link Eval#output}), both or neither. */
    enum BackwardReads {
        NOTHING, INPUTS, OUTPUT, INPUTS_AND_OUTPUT;

        public boolean inputs() {
            return this == INPUTS || this == INPUTS_AND_OUTPUT;
        }

        public boolean output() {
            return this == OUTPUT || this == INPUTS_AND_OUTPUT;
        }
    }

    /**
     * Whether {@link #recomputeOutput} rebuilds the training forward's output, bit for bit, from
     * its inputs and what it saved, cheaply enough that the memory plan drops the output after
     * the forward pass and recomputes it for the backward (batch norm: one multiply-add a value).
     */
    default boolean recomputesOutput() {
        return false;
    }

    /** Writes into {@code e.output()} what {@link #trainingForward} wrote, from {@code saved}, what that forward saved, with its folded ReLU. */
    default void recomputeOutput(Eval e, float[][] saved, boolean relu, float reluCeiling) {
        throw new UnsupportedOperationException(type() + " does not recompute its output");
    }

    /** {@link #recomputeOutput(Eval, float[][], boolean, float)} as code for the generated training step. */
    default CodeBlock recomputeOutput(TrainingCode c) {
        throw new UnsupportedOperationException(type() + " does not recompute its output");
    }

    /**
     * The ONNX export: writes the node(s) computing this op (opset 17) and returns the name of
     * the value holding its output; throws UnsupportedOperationException saying why where ONNX
     * has no equivalent.
     */
    String onnx(OnnxCode o);
}
