/* Comparisons are written so that NaN passes through, as the reference kernels' Math.max does. */
DEVICE_FN float activate(float v, int act, float alpha) {
    switch (act) {
        case ACT_NONE: return v;
        case ACT_RELU: return v < 0.0f ? 0.0f : v;
        case ACT_RELU6: return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
        case ACT_LEAKY_RELU: return v >= 0.0f ? v : alpha * v;
        case ACT_SIGMOID: return 1.0f / (1.0f + EXP(-v));
        case ACT_TANH: return TANH(v);
        case ACT_GELU: return 0.5f * v * (1.0f + ERF(v * 0.70710678118654752f));
        case ACT_SILU: return v / (1.0f + EXP(-v));
        case ACT_HARDSWISH: return v * FMIN(FMAX(v + 3.0f, 0.0f), 6.0f) / 6.0f;
        case ACT_HARDSIGMOID: return FMIN(FMAX(v + 3.0f, 0.0f), 6.0f) / 6.0f;
        case ACT_MISH: return v * TANH(LOG(1.0f + EXP(v)));
        default: return QNAN;
    }
}
