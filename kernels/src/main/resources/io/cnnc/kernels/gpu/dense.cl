/* Fully connected layer for inference: y[n][u] = act(b[u] + sum_i x[n][i] * w[u][i]). One
 * work-group of REDUCE_WG items per (unit, sample) walks the weight row with consecutive items
 * on consecutive words (coalesced), then reduces in local memory: at batch 1 this is a matrix-
 * vector product, which a 64 x 64 GEMM tile would mostly waste. Global size: (units * 64, batch). */
KERNEL dense(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT w, GLOBAL const float* RESTRICT bias,
             GLOBAL float* RESTRICT y, int in, int units, int hasBias, int act, float alpha) {
    LOCAL float part[REDUCE_WG];
    int u = GROUP(0), n = GROUP(1), l = LID(0);
    GLOBAL const float* xr = x + n * in;
    GLOBAL const float* wr = w + u * in;
    float s = 0.0f;
    for (int i = l; i < in; i += REDUCE_WG) s += xr[i] * wr[i];
    part[l] = s;
    BARRIER();
    for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
        if (l < width) part[l] += part[l + width];
        BARRIER();
    }
    if (l == 0) y[n * units + u] = activate(part[0] + (hasBias ? bias[u] : 0.0f), act, alpha);
}
