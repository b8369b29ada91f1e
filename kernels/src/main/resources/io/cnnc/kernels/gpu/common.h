/* @generated: activation_codes (the ACT_* codes; GpuSource writes them from GpuActivation) */

/* GEMM tiling shared by conv_gemm and gemm: a 16 x 16 work-group computes a 64 x 64 tile of the
 * product, 4 x 4 per item, stepping through K 16 at a time. The launch sizes in Gemm.launch,
 * GpuConvStrategy (GEMM) and TrainingLaunches (kernels/.../gpu) repeat these numbers. */
#define GEMM_TM 64
#define GEMM_TN 64
#define GEMM_TK 16
#define GEMM_WG 16
#define GEMM_R 4

/* Work-group size of the kernels that reduce one row in local memory (global_pool, dense). */
#define REDUCE_WG 64

/* @generated: activate (the forward formulas; GpuSource writes them from GpuActivation) */

/* A convolution's fused epilogue: bias per output channel, then the residual, then the activation. */
DEVICE_FN float epilogue(float acc, GLOBAL const float* bias, int hasBias, int channel, GLOBAL const float* res, int hasRes,
                         int at, int act, float alpha) {
    if (hasBias) acc += bias[channel];
    if (hasRes) acc += res[at];
    return activate(acc, act, alpha);
}

/*
 * One element of a sample's im2col matrix: row k = (input channel of group g, tap), column j =
 * (sample, output pixel); 0 in the padding. Shared by the implicit-GEMM forward conv and the
 * weight gradient, which read the same virtual matrix.
 */
DEVICE_FN float im2col_at(GLOBAL const float* x, int k, int j, int g, int icg, int inC, int inH, int inW, int outW, int hw,
                          int taps, int kw, int sh, int sw, int pt, int pl, int dh, int dw) {
    int ic = k / taps, t = k % taps;
    int n = j / hw, p = j % hw;
    int iy = (p / outW) * sh - pt + (t / kw) * dh;
    int ix = (p % outW) * sw - pl + (t % kw) * dw;
    return iy >= 0 && iy < inH && ix >= 0 && ix < inW ? x[((n * inC + g * icg + ic) * inH + iy) * inW + ix] : 0.0f;
}

/* The mean of count values from x[base], and their 1/std about it (biased variance, + eps): a
 * group norm's statistics, shared by its forward and its gradient. */
DEVICE_FN float run_mean(GLOBAL const float* x, int base, int count) {
    float mean = 0.0f;
    for (int k = 0; k < count; k++) mean += x[base + k];
    return mean / (float) count;
}

DEVICE_FN float run_inv_std(GLOBAL const float* x, int base, int count, float mean, float eps) {
    float var = 0.0f;
    for (int k = 0; k < count; k++) var += (x[base + k] - mean) * (x[base + k] - mean);
    return 1.0f / SQRT(var / (float) count + eps);
}
