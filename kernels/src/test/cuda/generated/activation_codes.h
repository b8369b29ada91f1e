/* Activation codes: GpuActivation.code maps ActivationKind to these; 0 is no activation. */
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_RELU6 2
#define ACT_LEAKY_RELU 3
#define ACT_SIGMOID 4
#define ACT_TANH 5
#define ACT_GELU 6
#define ACT_SILU 7
#define ACT_HARDSWISH 8
#define ACT_HARDSIGMOID 9
#define ACT_MISH 10
