/* Reductions over the channels at each position, one item per (sample, position): consecutive
 * items read consecutive positions of a channel, so the loads coalesce. Global: batch * spatial. */
KERNEL layernorm(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT gamma, GLOBAL const float* RESTRICT beta,
                 GLOBAL float* RESTRICT y, int batch, int channels, int spatial, float eps) {
    int i = GID(0);
    if (i >= batch * spatial) return;
    int base = (i / spatial) * channels * spatial + i % spatial;
    float mean = 0.0f;
    for (int c = 0; c < channels; c++) mean += x[base + c * spatial];
    mean /= (float) channels;
    float var = 0.0f;
    for (int c = 0; c < channels; c++) {
        float d = x[base + c * spatial] - mean;
        var += d * d;
    }
    float inv = 1.0f / SQRT(var / (float) channels + eps);
    for (int c = 0; c < channels; c++) y[base + c * spatial] = (x[base + c * spatial] - mean) * inv * gamma[c] + beta[c];
}

/* The maximum is subtracted first so exp cannot overflow. */
KERNEL softmax_channels(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int batch, int channels, int spatial) {
    int i = GID(0);
    if (i >= batch * spatial) return;
    int base = (i / spatial) * channels * spatial + i % spatial;
    float m = NEG_INF;
    for (int c = 0; c < channels; c++) m = FMAX(m, x[base + c * spatial]);
    float sum = 0.0f;
    for (int c = 0; c < channels; c++) sum += EXP(x[base + c * spatial] - m);
    for (int c = 0; c < channels; c++) y[base + c * spatial] = EXP(x[base + c * spatial] - m) / sum;
}

/* Group normalisation: one item per (sample, group) normalises its channels/groups planes over
 * their mean and variance together, then scales and shifts per channel (gamma and beta may be
 * absent: affine 0). Global: batch * groups. */
KERNEL groupnorm(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT gamma, GLOBAL const float* RESTRICT beta,
                 GLOBAL float* RESTRICT y, int batch, int channels, int spatial, int groups, int affine, float eps) {
    int i = GID(0);
    if (i >= batch * groups) return;
    int per = channels / groups;
    int count = per * spatial;
    int base = i * count;
    float mean = run_mean(x, base, count);
    float inv = run_inv_std(x, base, count, mean, eps);
    for (int k = 0; k < count; k++) {
        int c = (i % groups) * per + k / spatial;
        float v = (x[base + k] - mean) * inv;
        y[base + k] = affine ? v * gamma[c] + beta[c] : v;
    }
}
