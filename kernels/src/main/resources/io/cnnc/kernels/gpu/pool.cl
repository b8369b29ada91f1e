/* Pooling. Max: padded positions never win and NaN propagates, as MaxPoolReference. Average
 * counts padding (PyTorch's count_include_pad=True) with the window clipped to the padded input,
 * as AvgPoolReference. One item per output; global size: batch * C * outH * outW, rounded up. */
KERNEL maxpool(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int total, int inH, int inW, int outH, int outW,
               int kh, int kw, int sh, int sw, int pt, int pl) {
    int i = GID(0);
    if (i >= total) return;
    int ox = i % outW, oy = (i / outW) % outH, nc = i / (outW * outH);
    GLOBAL const float* xc = x + nc * inH * inW;
    float m = NEG_INF;
    for (int ky = 0; ky < kh; ky++) {
        int iy = oy * sh - pt + ky;
        if (iy < 0 || iy >= inH) continue;
        for (int kx = 0; kx < kw; kx++) {
            int ix = ox * sw - pl + kx;
            if (ix < 0 || ix >= inW) continue;
            float v = xc[iy * inW + ix];
            if (v > m || ISNAN(v)) m = v;
        }
    }
    y[i] = m;
}

KERNEL avgpool(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int total, int inH, int inW, int outH, int outW,
               int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr) {
    int i = GID(0);
    if (i >= total) return;
    int ox = i % outW, oy = (i / outW) % outH, nc = i / (outW * outH);
    GLOBAL const float* xc = x + nc * inH * inW;
    int y0 = oy * sh - pt, x0 = ox * sw - pl;
    int y1 = y0 + kh < inH + pb ? y0 + kh : inH + pb;
    int x1 = x0 + kw < inW + pr ? x0 + kw : inW + pr;
    float s = 0.0f;
    for (int iy = y0 < 0 ? 0 : y0; iy < (y1 < inH ? y1 : inH); iy++) {
        for (int ix = x0 < 0 ? 0 : x0; ix < (x1 < inW ? x1 : inW); ix++) s += xc[iy * inW + ix];
    }
    y[i] = s / (float) ((y1 - y0) * (x1 - x0));
}

/* Bin i spans [floor(i*in/out), ceil((i+1)*in/out)), PyTorch's adaptive pooling. */
KERNEL adaptive_avgpool(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int total, int inH, int inW, int outH, int outW) {
    int i = GID(0);
    if (i >= total) return;
    int ox = i % outW, oy = (i / outW) % outH, nc = i / (outW * outH);
    GLOBAL const float* xc = x + nc * inH * inW;
    int y0 = oy * inH / outH, y1 = ((oy + 1) * inH + outH - 1) / outH;
    int x0 = ox * inW / outW, x1 = ((ox + 1) * inW + outW - 1) / outW;
    float s = 0.0f;
    for (int iy = y0; iy < y1; iy++) for (int ix = x0; ix < x1; ix++) s += xc[iy * inW + ix];
    y[i] = s / (float) ((y1 - y0) * (x1 - x0));
}

/* Mean or max over each channel's positions: one work-group of REDUCE_WG items per (n, c),
 * each item striding over the positions, then a tree reduction in local memory.
 * Global size: (rows * REDUCE_WG), local REDUCE_WG (common.h). */
KERNEL global_pool(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int spatial, int isMax) {
    LOCAL float part[REDUCE_WG];
    int row = GROUP(0), l = LID(0);
    GLOBAL const float* xr = x + row * spatial;
    float s = isMax ? NEG_INF : 0.0f;
    for (int i = l; i < spatial; i += REDUCE_WG) {
        float v = xr[i];
        if (isMax) { if (v > s || ISNAN(v)) s = v; } else s += v;
    }
    part[l] = s;
    BARRIER();
    for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
        if (l < width) {
            float o = part[l + width];
            if (isMax) { if (o > part[l] || ISNAN(o)) part[l] = o; } else part[l] += o;
        }
        BARRIER();
    }
    if (l == 0) y[row] = isMax ? part[0] : part[0] / (float) spatial;
}

/* Source coordinate of output index d along an axis upsampled by s (in -> in*s), as PyTorch's
 * bilinear: half-pixel centres clamped at 0, or corner-aligned. */
DEVICE_FN float upsample_source(int d, int in, int s, int alignCorners) {
    int out = in * s;
    if (alignCorners) return out > 1 ? (float) d * (float) (in - 1) / (float) (out - 1) : 0.0f;
    return FMAX(0.0f, ((float) d + 0.5f) / (float) s - 0.5f);
}

/* nn.Upsample by integer factors: nearest reads floor(d / s); bilinear mixes the source pixel
 * below the coordinate with the next one (clamped at the edge). One item per output. Not named
 * plain "upsample": OpenCL C has a built-in of that name. */
KERNEL upsample_layer(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int total, int inH, int inW, int sh, int sw,
                int bilinear, int alignCorners) {
    int i = GID(0);
    if (i >= total) return;
    int outW = inW * sw, outH = inH * sh;
    int ox = i % outW, oy = (i / outW) % outH, nc = i / (outW * outH);
    GLOBAL const float* xc = x + nc * inH * inW;
    if (!bilinear) {
        y[i] = xc[(oy / sh) * inW + ox / sw];
        return;
    }
    float sy = upsample_source(oy, inH, sh, alignCorners), sx = upsample_source(ox, inW, sw, alignCorners);
    int y0 = min((int) sy, inH - 1), x0 = min((int) sx, inW - 1);
    int y1 = min(y0 + 1, inH - 1), x1 = min(x0 + 1, inW - 1);
    float ly = sy - (float) y0, lx = sx - (float) x0;
    float top = (1.0f - lx) * xc[y0 * inW + x0] + lx * xc[y0 * inW + x1];
    float bottom = (1.0f - lx) * xc[y1 * inW + x0] + lx * xc[y1 * inW + x1];
    y[i] = (1.0f - ly) * top + ly * bottom;
}
