package io.cnnc.kernels;

/** The elementwise activations every back end implements. */
public enum ActivationKind { RELU, RELU6, LEAKY_RELU, SIGMOID, TANH, GELU, SILU, HARDSWISH, HARDSIGMOID, IDENTITY }
