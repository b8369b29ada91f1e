/* Training: backward kernels, training-mode BatchNorm, softmax cross-entropy and the SGD step.
 * A kernel writing an input gradient takes `beta`: 0 overwrites the gradient buffer (without
 * reading it: it may hold garbage), 1 adds to it, for values read by several layers. Input
 * gradients are gathered (each item owns one input element and sums what reached it), so no
 * kernel needs atomics. */

DEVICE_FN float blend(GLOBAL float* dst, int at, float beta, float v) {
    return beta != 0.0f ? beta * dst[at] + v : v;
}

/* @generated: activate_grad (the derivatives; GpuSource writes them from GpuActivation) */

/* Global: count rounded up. */
KERNEL activation_backward(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL float* dx, int count,
                           int act, float alpha, float beta) {
    int i = GID(0);
    if (i < count) dx[i] = blend(dx, i, beta, dy[i] * activate_grad(x[i], act, alpha));
}

/* dst = beta * dst + src (* mask): gradients of add, flatten and dropout. Global: count. */
KERNEL accumulate(GLOBAL const float* RESTRICT src, GLOBAL const float* RESTRICT mask, int hasMask, GLOBAL float* dst, int count, float beta) {
    int i = GID(0);
    if (i < count) dst[i] = blend(dst, i, beta, hasMask ? src[i] * mask[i] : src[i]);
}

/* The gradient of one concat operand: its channel range of dy. Global: batch * part. */
KERNEL copy_from(GLOBAL const float* RESTRICT dy, GLOBAL float* dx, int batch, int part, int total, int offset, float beta) {
    int i = GID(0);
    if (i < batch * part) dx[i] = blend(dx, i, beta, dy[(i / part) * total + offset + i % part]);
}

/* The gradient of a channel slice: the sample's `part` floats of dy at offset `offset` of its
 * `total` floats of dx, zero elsewhere. Global: batch * total. */
KERNEL slice_backward(GLOBAL const float* RESTRICT dy, GLOBAL float* dx, int batch, int part, int total, int offset, float beta) {
    int i = GID(0);
    if (i >= batch * total) return;
    int r = i % total - offset;
    dx[i] = blend(dx, i, beta, r >= 0 && r < part ? dy[(i / total) * part + r] : 0.0f);
}

/* Convolution input gradient: item (n, c, iy, ix) sums dy * w over every output and tap that
 * read it. Global: batch * inC * inH * inW. */
KERNEL conv_backward_data(GLOBAL const float* RESTRICT dy, GLOBAL const float* RESTRICT w, GLOBAL float* dx, int batch,
                          int inC, int inH, int inW, int outC, int outH, int outW, int kh, int kw, int sh, int sw,
                          int pt, int pl, int dh, int dw, int groups, float beta) {
    int i = GID(0);
    if (i >= batch * inC * inH * inW) return;
    int ix = i % inW, iy = (i / inW) % inH, c = (i / (inW * inH)) % inC, n = i / (inW * inH * inC);
    int icg = inC / groups, ocg = outC / groups, g = c / icg, ic = c % icg;
    float s = 0.0f;
    for (int ky = 0; ky < kh; ky++) {
        int ty = iy + pt - ky * dh;
        if (ty < 0 || ty % sh != 0 || ty / sh >= outH) continue;
        int oy = ty / sh;
        for (int kx = 0; kx < kw; kx++) {
            int tx = ix + pl - kx * dw;
            if (tx < 0 || tx % sw != 0 || tx / sw >= outW) continue;
            int ox = tx / sw;
            for (int o = 0; o < ocg; o++) {
                int oc = g * ocg + o;
                s += dy[((n * outC + oc) * outH + oy) * outW + ox] * w[((oc * icg + ic) * kh + ky) * kw + kx];
            }
        }
    }
    dx[i] = blend(dx, i, beta, s);
}

/* Convolution weight gradient as an implicit GEMM per group: dW[o][k] = sum_j dY[o][j] X'[k][j]
 * over j = (n, oy, ox), X' the im2col matrix gathered on the fly; tiles as conv_gemm. The sum
 * over j, long (batch * outH * outW) while dW is often small, is split into `splits` ranges,
 * each a work-group of its own writing a partial dW to dw + s * outC * K; sum_splits adds them
 * (with splits = 1 the kernel writes dW itself, with beta).
 * Global: (ceil(K/64) * 16, ceil(ocg/64) * 16, groups * splits). */
KERNEL conv_backward_weight(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL float* dw, int batch,
                            int inC, int inH, int inW, int outC, int outH, int outW, int kh, int kw, int sh, int sw,
                            int pt, int pl, int dh, int ddw, int groups, int splits, float beta) {
    LOCAL float As[GEMM_TK][GEMM_TM];
    LOCAL float Bs[GEMM_TK][GEMM_TN];
    int lx = LID(0), ly = LID(1);
    int lid = ly * GEMM_WG + lx;
    int g = GROUP(2) / splits, split = GROUP(2) % splits;
    int icg = inC / groups, ocg = outC / groups;
    int taps = kh * kw;
    int K = icg * taps;
    int hw = outH * outW;
    int J = batch * hw;
    int chunk = ((J + splits - 1) / splits + GEMM_TK - 1) / GEMM_TK * GEMM_TK;
    int jBegin = split * chunk;
    int jEnd = jBegin + chunk < J ? jBegin + chunk : J;
    int row0 = GROUP(1) * GEMM_TM;
    int col0 = GROUP(0) * GEMM_TN;
    float acc[GEMM_R][GEMM_R];
    for (int i = 0; i < GEMM_R; i++) for (int j = 0; j < GEMM_R; j++) acc[i][j] = 0.0f;
    for (int j0 = jBegin; j0 < jEnd; j0 += GEMM_TK) {
        for (int e = lid; e < GEMM_TK * GEMM_TM; e += GEMM_WG * GEMM_WG) {
            int jj = e % GEMM_TK, m = e / GEMM_TK;
            int j = j0 + jj, o = row0 + m;
            As[jj][m] = j < jEnd && o < ocg ? dy[((j / hw) * outC + g * ocg + o) * hw + j % hw] : 0.0f;
        }
        for (int e = lid; e < GEMM_TK * GEMM_TN; e += GEMM_WG * GEMM_WG) {
            int kk = e % GEMM_TN, jj = e / GEMM_TN;
            int j = j0 + jj, k = col0 + kk;
            Bs[jj][kk] = j < jEnd && k < K ? im2col_at(x, k, j, g, icg, inC, inH, inW, outW, hw, taps, kw, sh, sw, pt, pl, dh, ddw) : 0.0f;
        }
        BARRIER();
        for (int jj = 0; jj < GEMM_TK; jj++) {
            float a[GEMM_R], b[GEMM_R];
            for (int i = 0; i < GEMM_R; i++) a[i] = As[jj][ly + i * GEMM_WG];
            for (int j = 0; j < GEMM_R; j++) b[j] = Bs[jj][lx + j * GEMM_WG];
            for (int i = 0; i < GEMM_R; i++) for (int j = 0; j < GEMM_R; j++) acc[i][j] += a[i] * b[j];
        }
        BARRIER();
    }
    for (int i = 0; i < GEMM_R; i++) {
        int o = row0 + ly + i * GEMM_WG;
        if (o >= ocg) continue;
        for (int j = 0; j < GEMM_R; j++) {
            int k = col0 + lx + j * GEMM_WG;
            if (k >= K) continue;
            int at = (g * ocg + o) * K + k;
            if (splits == 1) dw[at] = blend(dw, at, beta, acc[i][j]);
            else dw[split * outC * K + at] = acc[i][j];
        }
    }
}

/* The weight gradient when dW is too small for 64 x 64 tiles (few output channels or a short
 * reduction, as in a network's first layer): one work-group of REDUCE_WG items per element of
 * dW, the items striding over (sample, position) and reducing in local memory, so no work goes
 * to tile padding. Global: (outC * K * REDUCE_WG). */
KERNEL conv_backward_weight_small(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL float* dw, int batch,
                                  int inC, int inH, int inW, int outC, int outH, int outW, int kh, int kw, int sh, int sw,
                                  int pt, int pl, int dh, int ddw, int groups, float beta) {
    LOCAL float part[REDUCE_WG];
    int icg = inC / groups, ocg = outC / groups;
    int taps = kh * kw;
    int K = icg * taps;
    int e = GROUP(0), l = LID(0);
    int oc = e / K, k = e % K;
    int c = (oc / ocg) * icg + k / taps, t = k % taps;
    int ky = t / kw, kx = t % kw;
    int hw = outH * outW;
    float s = 0.0f;
    for (int j = l; j < batch * hw; j += REDUCE_WG) {
        int n = j / hw, p = j % hw;
        int iy = (p / outW) * sh - pt + ky * dh;
        int ix = (p % outW) * sw - pl + kx * ddw;
        if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) s += dy[(n * outC + oc) * hw + p] * x[((n * inC + c) * inH + iy) * inW + ix];
    }
    part[l] = s;
    BARRIER();
    for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
        if (l < width) part[l] += part[l + width];
        BARRIER();
    }
    if (l == 0) dw[e] = blend(dw, e, beta, part[0]);
}

/* dst = beta * dst + the sum of `splits` partial results laid out one after another. Global: count. */
KERNEL sum_splits(GLOBAL const float* RESTRICT partials, GLOBAL float* dst, int count, int splits, float beta) {
    int i = GID(0);
    if (i >= count) return;
    float s = 0.0f;
    for (int p = 0; p < splits; p++) s += partials[p * count + i];
    dst[i] = blend(dst, i, beta, s);
}

/* out[c] = beta * out[c] + sum over samples and positions of dy: bias gradients of conv and
 * dense. One work-group per channel. Global: C * REDUCE_WG. */
KERNEL channel_sum(GLOBAL const float* RESTRICT dy, GLOBAL float* out, int batch, int channels, int spatial, float beta) {
    LOCAL float part[REDUCE_WG];
    int c = GROUP(0), l = LID(0);
    float s = 0.0f;
    for (int i = l; i < batch * spatial; i += REDUCE_WG) s += dy[((i / spatial) * channels + c) * spatial + i % spatial];
    part[l] = s;
    BARRIER();
    for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
        if (l < width) part[l] += part[l + width];
        BARRIER();
    }
    if (l == 0) out[c] = blend(out, c, beta, part[0]);
}

/* Max pooling gradient: each input element takes dy of every window whose first maximum
 * (PoolBackward's tie rule) it is. Global: batch * C * inH * inW. */
KERNEL maxpool_backward(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL float* dx, int total,
                        int inH, int inW, int outH, int outW, int kh, int kw, int sh, int sw, int pt, int pl, float beta) {
    int i = GID(0);
    if (i >= total) return;
    int ix = i % inW, iy = (i / inW) % inH, nc = i / (inW * inH);
    GLOBAL const float* xc = x + nc * inH * inW;
    int ly = iy + pt - kh + 1, lx = ix + pl - kw + 1;
    int oy0 = ly <= 0 ? 0 : (ly + sh - 1) / sh, ox0 = lx <= 0 ? 0 : (lx + sw - 1) / sw;
    int oy1 = (iy + pt) / sh < outH - 1 ? (iy + pt) / sh : outH - 1;
    int ox1 = (ix + pl) / sw < outW - 1 ? (ix + pl) / sw : outW - 1;
    float s = 0.0f;
    for (int oy = oy0; oy <= oy1; oy++) {
        for (int ox = ox0; ox <= ox1; ox++) {
            int best = -1;
            float m = 0.0f;
            for (int ky = 0; ky < kh; ky++) {
                int yy = oy * sh - pt + ky;
                if (yy < 0 || yy >= inH) continue;
                for (int kx = 0; kx < kw; kx++) {
                    int xx = ox * sw - pl + kx;
                    if (xx < 0 || xx >= inW) continue;
                    float v = xc[yy * inW + xx];
                    if (best < 0 || v > m) { m = v; best = yy * inW + xx; }
                }
            }
            if (best == iy * inW + ix) s += dy[(nc * outH + oy) * outW + ox];
        }
    }
    dx[i] = blend(dx, i, beta, s);
}

/* Average pooling gradient, the divisor of the forward pass (padding counted, window clipped to
 * the padded input). Global: batch * C * inH * inW. */
KERNEL avgpool_backward(GLOBAL const float* RESTRICT dy, GLOBAL float* dx, int total, int inH, int inW, int outH, int outW,
                        int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, float beta) {
    int i = GID(0);
    if (i >= total) return;
    int ix = i % inW, iy = (i / inW) % inH, nc = i / (inW * inH);
    int ly = iy + pt - kh + 1, lx = ix + pl - kw + 1;
    int oy0 = ly <= 0 ? 0 : (ly + sh - 1) / sh, ox0 = lx <= 0 ? 0 : (lx + sw - 1) / sw;
    int oy1 = (iy + pt) / sh < outH - 1 ? (iy + pt) / sh : outH - 1;
    int ox1 = (ix + pl) / sw < outW - 1 ? (ix + pl) / sw : outW - 1;
    float s = 0.0f;
    for (int oy = oy0; oy <= oy1; oy++) {
        int y0 = oy * sh - pt;
        int y1 = y0 + kh < inH + pb ? y0 + kh : inH + pb;
        for (int ox = ox0; ox <= ox1; ox++) {
            int x0 = ox * sw - pl;
            int x1 = x0 + kw < inW + pr ? x0 + kw : inW + pr;
            s += dy[(nc * outH + oy) * outW + ox] / (float) ((y1 - y0) * (x1 - x0));
        }
    }
    dx[i] = blend(dx, i, beta, s);
}

/* Adaptive average pooling gradient: every bin containing the element shares its dy. */
KERNEL adaptive_avgpool_backward(GLOBAL const float* RESTRICT dy, GLOBAL float* dx, int total, int inH, int inW, int outH, int outW, float beta) {
    int i = GID(0);
    if (i >= total) return;
    int ix = i % inW, iy = (i / inW) % inH, nc = i / (inW * inH);
    float s = 0.0f;
    for (int oy = 0; oy < outH; oy++) {
        int y0 = oy * inH / outH, y1 = ((oy + 1) * inH + outH - 1) / outH;
        if (iy < y0 || iy >= y1) continue;
        for (int ox = 0; ox < outW; ox++) {
            int x0 = ox * inW / outW, x1 = ((ox + 1) * inW + outW - 1) / outW;
            if (ix >= x0 && ix < x1) s += dy[(nc * outH + oy) * outW + ox] / (float) ((y1 - y0) * (x1 - x0));
        }
    }
    dx[i] = blend(dx, i, beta, s);
}

/* How much output index o of an axis upsampled by s (in -> in*s) takes from input index i: what
 * upsample_layer's forward weighs it by (nearest: 1 for the source pixel; bilinear: the two
 * clamped neighbours' weights, summed where they coincide at the edge). */
DEVICE_FN float upsample_weight(int o, int i, int in, int s, int bilinear, int alignCorners) {
    if (!bilinear) return o / s == i ? 1.0f : 0.0f;
    float src = upsample_source(o, in, s, alignCorners);
    int i0 = min((int) src, in - 1), i1 = min(i0 + 1, in - 1);
    float l = src - (float) i0, w = 0.0f;
    if (i0 == i) w += 1.0f - l;
    if (i1 == i) w += l;
    return w;
}

/* The outputs [lo, hi] of an axis that can read input i: a superset, the weights sort them out.
 * Nearest: i's own s outputs; bilinear: two input steps either side (corner-aligned steps are
 * (out - 1) / (in - 1) outputs), or every output where the axis has one input. */
DEVICE_FN int upsample_reach(int i, int in, int s, int bilinear, int alignCorners, int high) {
    int out = in * s;
    if (!bilinear) return high ? i * s + s - 1 : i * s;
    if (in == 1) return high ? out - 1 : 0;
    int step = alignCorners ? (out - 1 + in - 2) / (in - 1) : s;
    return high ? min(out - 1, (i + 2) * step + 1) : max(0, (i - 2) * step);
}

/* nn.Upsample's gradient, gathered: each input pixel sums the outputs that read it, weighted as
 * the forward weighed them, in a fixed order (no atomics, the same bits every run). */
KERNEL upsample_backward(GLOBAL const float* RESTRICT dy, GLOBAL float* dx, int total, int inH, int inW, int sh, int sw,
                         int bilinear, int alignCorners, float beta) {
    int i = GID(0);
    if (i >= total) return;
    int ix = i % inW, iy = (i / inW) % inH, nc = i / (inW * inH);
    int outH = inH * sh, outW = inW * sw;
    GLOBAL const float* g = dy + nc * outH * outW;
    int yLo = upsample_reach(iy, inH, sh, bilinear, alignCorners, 0), yHi = upsample_reach(iy, inH, sh, bilinear, alignCorners, 1);
    int xLo = upsample_reach(ix, inW, sw, bilinear, alignCorners, 0), xHi = upsample_reach(ix, inW, sw, bilinear, alignCorners, 1);
    float s = 0.0f;
    for (int oy = yLo; oy <= yHi; oy++) {
        float wy = upsample_weight(oy, iy, inH, sh, bilinear, alignCorners);
        if (wy == 0.0f) continue;
        float row = 0.0f;
        for (int ox = xLo; ox <= xHi; ox++) row += upsample_weight(ox, ix, inW, sw, bilinear, alignCorners) * g[oy * outW + ox];
        s += wy * row;
    }
    dx[i] = blend(dx, i, beta, s);
}

/* Global pooling gradient: average spreads dy over the channel; max gives it to the channel's
 * first maximum, found by a work-group reduction over (value, position). Global: rows * REDUCE_WG. */
KERNEL global_pool_backward(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL float* dx, int spatial,
                            int isMax, float beta) {
    LOCAL float bestValue[REDUCE_WG];
    LOCAL int bestIndex[REDUCE_WG];
    int row = GROUP(0), l = LID(0);
    GLOBAL const float* xr = x + row * spatial;
    int argmax = -1;
    if (isMax) {
        float m = 0.0f;
        int at = -1;
        for (int i = l; i < spatial; i += REDUCE_WG) {
            if (at < 0 || xr[i] > m) { m = xr[i]; at = i; }
        }
        bestValue[l] = m;
        bestIndex[l] = at;
        BARRIER();
        for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
            if (l < width) {
                int oi = bestIndex[l + width];
                float ov = bestValue[l + width];
                int mi = bestIndex[l];
                if (oi >= 0 && (mi < 0 || ov > bestValue[l] || (ov == bestValue[l] && oi < mi))) {
                    bestValue[l] = ov;
                    bestIndex[l] = oi;
                }
            }
            BARRIER();
        }
        argmax = bestIndex[0];
    }
    float g = dy[row];
    for (int i = l; i < spatial; i += REDUCE_WG) {
        float v = isMax ? (i == argmax ? g : 0.0f) : g / (float) spatial;
        dx[row * spatial + i] = blend(dx, row * spatial + i, beta, v);
    }
}

/* Training-mode BatchNorm statistics, one work-group per channel: batch mean and biased
 * variance (two passes), 1/std kept for the backward pass, running statistics updated as
 * PyTorch does (unbiased variance, momentum). Global: C * REDUCE_WG. */
KERNEL bn_train_stats(GLOBAL const float* RESTRICT x, GLOBAL float* mean, GLOBAL float* invStd, GLOBAL float* runningMean,
                      GLOBAL float* runningVar, int batch, int channels, int spatial, float eps, float momentum) {
    LOCAL float part[REDUCE_WG];
    int c = GROUP(0), l = LID(0);
    int count = batch * spatial;
    float s = 0.0f;
    for (int i = l; i < count; i += REDUCE_WG) s += x[((i / spatial) * channels + c) * spatial + i % spatial];
    part[l] = s;
    BARRIER();
    for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
        if (l < width) part[l] += part[l + width];
        BARRIER();
    }
    float m = part[0] / (float) count;
    BARRIER();
    float q = 0.0f;
    for (int i = l; i < count; i += REDUCE_WG) {
        float d = x[((i / spatial) * channels + c) * spatial + i % spatial] - m;
        q += d * d;
    }
    part[l] = q;
    BARRIER();
    for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
        if (l < width) part[l] += part[l + width];
        BARRIER();
    }
    if (l == 0) {
        float var = part[0] / (float) count;
        mean[c] = m;
        invStd[c] = 1.0f / SQRT(var + eps);
        runningMean[c] = (1.0f - momentum) * runningMean[c] + momentum * m;
        runningVar[c] = (1.0f - momentum) * runningVar[c] + momentum * (count > 1 ? part[0] / (float) (count - 1) : var);
    }
}

/* y = (x - mean) * invStd * gamma + beta with the batch's statistics. Global: count. */
KERNEL bn_train_apply(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, GLOBAL const float* RESTRICT mean,
                      GLOBAL const float* RESTRICT invStd, GLOBAL const float* RESTRICT gamma, GLOBAL const float* RESTRICT shift,
                      int count, int channels, int spatial) {
    int i = GID(0);
    if (i >= count) return;
    int c = (i / spatial) % channels;
    y[i] = (x[i] - mean[c]) * invStd[c] * gamma[c] + shift[c];
}

/* Per channel: sums[c] = sum dy, sums[C + c] = sum dy * xhat; these are also dbeta and dgamma.
 * Global: C * REDUCE_WG. */
KERNEL bn_backward_reduce(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL const float* RESTRICT mean,
                          GLOBAL const float* RESTRICT invStd, GLOBAL float* dgamma, GLOBAL float* dbeta, GLOBAL float* sums,
                          int batch, int channels, int spatial) {
    LOCAL float a[REDUCE_WG];
    LOCAL float b[REDUCE_WG];
    int c = GROUP(0), l = LID(0);
    float sd = 0.0f, sdx = 0.0f;
    for (int i = l; i < batch * spatial; i += REDUCE_WG) {
        int at = ((i / spatial) * channels + c) * spatial + i % spatial;
        sd += dy[at];
        sdx += dy[at] * (x[at] - mean[c]) * invStd[c];
    }
    a[l] = sd;
    b[l] = sdx;
    BARRIER();
    for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
        if (l < width) {
            a[l] += a[l + width];
            b[l] += b[l + width];
        }
        BARRIER();
    }
    if (l == 0) {
        sums[c] = a[0];
        sums[channels + c] = b[0];
        dbeta[c] = a[0];
        dgamma[c] = b[0];
    }
}

/* dx = gamma * invStd / N * (N dy - sum dy - xhat sum(dy xhat)). Global: count. */
KERNEL bn_backward_data(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL float* dx, GLOBAL const float* RESTRICT mean,
                        GLOBAL const float* RESTRICT invStd, GLOBAL const float* RESTRICT gamma, GLOBAL const float* RESTRICT sums,
                        int count, int channels, int spatial, float beta) {
    int i = GID(0);
    if (i >= count) return;
    int c = (i / spatial) % channels;
    float n = (float) (count / channels);
    float xhat = (x[i] - mean[c]) * invStd[c];
    dx[i] = blend(dx, i, beta, gamma[c] * invStd[c] / n * (n * dy[i] - sums[c] - xhat * sums[channels + c]));
}

/* Mean cross-entropy with label smoothing against labels (class numbers stored as floats), one
 * item per sample: stats[n] = the sample's loss, stats[batch + n] = 1 if its top-1 is right;
 * dlogits = (softmax - target) / batch. Global: batch rounded up. */
KERNEL softmax_xent(GLOBAL const float* RESTRICT logits, GLOBAL const float* RESTRICT labels, GLOBAL float* RESTRICT dlogits,
                    GLOBAL float* RESTRICT stats, int batch, int classes, float smoothing) {
    int n = GID(0);
    if (n >= batch) return;
    GLOBAL const float* z = logits + n * classes;
    int label = (int) labels[n];
    float m = z[0];
    int argmax = 0;
    for (int c = 1; c < classes; c++) if (z[c] > m) { m = z[c]; argmax = c; }
    float sum = 0.0f;
    for (int c = 0; c < classes; c++) sum += EXP(z[c] - m);
    float logSum = LOG(sum) + m;
    float loss = 0.0f;
    for (int c = 0; c < classes; c++) {
        float target = (c == label ? 1.0f - smoothing : 0.0f) + smoothing / (float) classes;
        float logP = z[c] - logSum;
        loss -= target * logP;
        dlogits[n * classes + c] = (EXP(logP) - target) / (float) batch;
    }
    stats[n] = loss;
    stats[batch + n] = argmax == label ? 1.0f : 0.0f;
}

/* PyTorch's SGD: d = g + wd p; buf = first ? d : m buf + d; d = nesterov ? d + m buf : buf; p -= lr d. Global: count. */
KERNEL sgd_step(GLOBAL float* p, GLOBAL const float* RESTRICT g, GLOBAL float* buf, int count, float lr, float momentum,
                float weightDecay, int nesterov, int first) {
    int i = GID(0);
    if (i >= count) return;
    float d = g[i] + weightDecay * p[i];
    if (momentum != 0.0f) {
        buf[i] = first ? d : momentum * buf[i] + d;
        d = nesterov ? d + momentum * buf[i] : buf[i];
    }
    p[i] -= lr * d;
}

/* PyTorch's Adam, or AdamW (decoupled: p -= lr wd p first), at the step whose bias corrections
   c1 = 1 - beta1^t and c2 = 1 - beta2^t the host computed; the moments start at zero on the first
   step (device buffers start undefined). Global: count. */
KERNEL adam_step(GLOBAL float* p, GLOBAL const float* RESTRICT g, GLOBAL float* m, GLOBAL float* v, int count, float lr, float beta1,
                 float beta2, float eps, float weightDecay, int decoupled, float c1, float c2, int first) {
    int i = GID(0);
    if (i >= count) return;
    float grad = g[i];
    if (decoupled) p[i] -= lr * weightDecay * p[i];
    else grad += weightDecay * p[i];
    m[i] = (first ? 0.0f : beta1 * m[i]) + (1.0f - beta1) * grad;
    v[i] = (first ? 0.0f : beta2 * v[i]) + (1.0f - beta2) * grad * grad;
    p[i] -= lr * (m[i] / c1) / (SQRT(v[i] / c2) + eps);
}

/* The statistics a group norm's gradient needs, one item per (sample, group): the mean, 1/std,
 * and the means of dxhat and dxhat * xhat (dxhat = dy * gamma, gamma absent: 1), four floats
 * each in stats. Global: batch * groups. */
KERNEL groupnorm_backward_stats(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL const float* RESTRICT gamma,
                                GLOBAL float* RESTRICT stats, int batch, int channels, int spatial, int groups, int affine, float eps) {
    int i = GID(0);
    if (i >= batch * groups) return;
    int per = channels / groups;
    int count = per * spatial;
    int base = i * count;
    float mean = run_mean(x, base, count);
    float inv = run_inv_std(x, base, count, mean, eps);
    float sd = 0.0f, sdx = 0.0f;
    for (int k = 0; k < count; k++) {
        float d = dy[base + k] * (affine ? gamma[(i % groups) * per + k / spatial] : 1.0f);
        sd += d;
        sdx += d * (x[base + k] - mean) * inv;
    }
    stats[4 * i] = mean;
    stats[4 * i + 1] = inv;
    stats[4 * i + 2] = sd / (float) count;
    stats[4 * i + 3] = sdx / (float) count;
}

/* dx = invStd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), with beta. Global: batch * channels * spatial. */
KERNEL groupnorm_backward_data(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL const float* RESTRICT gamma,
                               GLOBAL const float* RESTRICT stats, GLOBAL float* dx, int batch, int channels, int spatial, int groups,
                               int affine, float beta) {
    int i = GID(0);
    if (i >= batch * channels * spatial) return;
    int c = (i / spatial) % channels;
    int s = (i / (channels * spatial)) * groups + c / (channels / groups);
    float xhat = (x[i] - stats[4 * s]) * stats[4 * s + 1];
    float d = dy[i] * (affine ? gamma[c] : 1.0f);
    dx[i] = blend(dx, i, beta, stats[4 * s + 1] * (d - stats[4 * s + 2] - xhat * stats[4 * s + 3]));
}

/* dgamma[c] = sum of dy * xhat and dbeta[c] = sum of dy over the batch and the plane, one item per channel. Global: channels. */
KERNEL groupnorm_backward_params(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT dy, GLOBAL const float* RESTRICT stats,
                                 GLOBAL float* dgamma, GLOBAL float* dbeta, int batch, int channels, int spatial, int groups) {
    int c = GID(0);
    if (c >= channels) return;
    float g = 0.0f, b = 0.0f;
    for (int n = 0; n < batch; n++) {
        int s = n * groups + c / (channels / groups);
        int base = (n * channels + c) * spatial;
        for (int k = 0; k < spatial; k++) {
            g += dy[base + k] * (x[base + k] - stats[4 * s]) * stats[4 * s + 1];
            b += dy[base + k];
        }
    }
    dgamma[c] = g;
    dbeta[c] = b;
}
