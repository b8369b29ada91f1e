/* d act(v) / dv, PyTorch's choice at the kinks (ActivationBackward.derivative). */
DEVICE_FN float activate_grad(float v, int act, float alpha) {
    switch (act) {
        case ACT_NONE: return 1.0f;
        case ACT_RELU: return v > 0.0f ? 1.0f : 0.0f;
        case ACT_RELU6: return v > 0.0f && v < 6.0f ? 1.0f : 0.0f;
        case ACT_LEAKY_RELU: return v > 0.0f ? 1.0f : alpha;
        case ACT_SIGMOID: { float s = 1.0f / (1.0f + EXP(-v)); return s * (1.0f - s); }
        case ACT_TANH: { float t = TANH(v); return 1.0f - t * t; }
        case ACT_GELU: return 0.5f * (1.0f + ERF(v * 0.70710678118654752f)) + v * EXP(-0.5f * v * v) * 0.39894228040143268f;
        case ACT_SILU: { float s = 1.0f / (1.0f + EXP(-v)); return s * (1.0f + v * (1.0f - s)); }
        case ACT_HARDSWISH: return v < -3.0f ? 0.0f : (v > 3.0f ? 1.0f : (2.0f * v + 3.0f) / 6.0f);
        case ACT_HARDSIGMOID: return v > -3.0f && v < 3.0f ? 1.0f / 6.0f : 0.0f;
        case ACT_MISH: { float t = TANH(LOG(1.0f + EXP(v))); float s = 1.0f / (1.0f + EXP(-v)); return t + v * s * (1.0f - t * t); }
        default: return QNAN;
    }
}
