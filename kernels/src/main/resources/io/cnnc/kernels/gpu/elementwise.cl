/* Elementwise layers, one item per element; global size: count rounded up. */
KERNEL activation(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int count, int act, float alpha) {
    int i = GID(0);
    if (i < count) y[i] = activate(x[i], act, alpha);
}

KERNEL add(GLOBAL const float* RESTRICT a, GLOBAL const float* RESTRICT b, GLOBAL float* RESTRICT y, int count, int act, float alpha) {
    int i = GID(0);
    if (i < count) y[i] = activate(a[i] + b[i], act, alpha);
}

/* With broadcast, b is [N, C, 1, 1] and scales every position of its channel (squeeze-and-excitation). */
KERNEL mul(GLOBAL const float* RESTRICT a, GLOBAL const float* RESTRICT b, GLOBAL float* RESTRICT y, int count, int spatial, int broadcast) {
    int i = GID(0);
    if (i < count) y[i] = a[i] * b[broadcast ? i / spatial : i];
}

/* y = x * scale[c] + shift[c]: BatchNorm left unfused (folded to this on the host), scale, shift. */
KERNEL channel_affine(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT scale, GLOBAL const float* RESTRICT shift,
                      GLOBAL float* RESTRICT y, int count, int channels, int spatial) {
    int i = GID(0);
    if (i >= count) return;
    int c = (i / spatial) % channels;
    y[i] = x[i] * scale[c] + shift[c];
}

/* One operand of a channel concat: sample n's part of `part` floats goes to offset `offset` of
 * that sample's `total` floats. Global size: batch * part, rounded up. */
KERNEL copy_into(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int batch, int part, int total, int offset) {
    int i = GID(0);
    if (i < batch * part) y[(i / part) * total + offset + i % part] = x[i];
}

/* Channel shuffle: output channel c copies input channel (c % groups) * (channels / groups) + c / groups.
 * Its gradient is the shuffle with channels / groups groups; beta as in backward.cl (0 overwrites
 * without reading y, 1 adds). Global size: count rounded up. */
KERNEL channel_shuffle(GLOBAL const float* RESTRICT x, GLOBAL float* y, int count, int channels, int groups, int spatial, float beta) {
    int i = GID(0);
    if (i >= count) return;
    int plane = i / spatial;
    int c = plane % channels;
    float v = x[(plane - c + (c % groups) * (channels / groups) + c / groups) * spatial + i % spatial];
    y[i] = beta != 0.0f ? beta * y[i] + v : v;
}
