package io.cnnc.kernels;

import io.cnnc.kernels.activation.Activation;
import io.cnnc.kernels.activation.Gelu;
import io.cnnc.kernels.activation.HardSigmoid;
import io.cnnc.kernels.activation.HardSwish;
import io.cnnc.kernels.activation.Identity;
import io.cnnc.kernels.activation.LeakyRelu;
import io.cnnc.kernels.activation.Mish;
import io.cnnc.kernels.activation.Relu;
import io.cnnc.kernels.activation.Relu6;
import io.cnnc.kernels.activation.Sigmoid;
import io.cnnc.kernels.activation.Silu;
import io.cnnc.kernels.activation.Tanh;

/**
 * The elementwise activations every back end implements, each holding its definition: every
 * form of it (reference, derivative, vector loop, GPU C, TornadoVM Java, ONNX) is there.
 */
public enum ActivationKind {
    RELU(new Relu()),
    RELU6(new Relu6()),
    LEAKY_RELU(new LeakyRelu()),
    SIGMOID(new Sigmoid()),
    TANH(new Tanh()),
    GELU(new Gelu()),
    SILU(new Silu()),
    HARDSWISH(new HardSwish()),
    HARDSIGMOID(new HardSigmoid()),
    IDENTITY(new Identity()),
    MISH(new Mish());

    private final Activation definition;

    ActivationKind(Activation definition) {
        this.definition = definition;
    }

    public Activation definition() {
        return definition;
    }
}
