/* Depthwise convolution (each output channel reads one input channel: groups = inC, any channel
 * multiplier). A work-group of 16 x 16 items computes that block of one output channel of one
 * sample; the input patch it reads is staged once in local memory, and the kernel's taps are
 * few enough to come from global memory through the cache. Patches that do not fit (very large
 * stride or kernel) are read from global memory directly, uniformly per work-group.
 * Global size: (tilesW * 16, tilesH * 16, batch * outC). */
#define DW_TILE 16
#define DW_PATCH_MAX 2304

KERNEL conv_depthwise(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT w, GLOBAL const float* RESTRICT bias,
                      GLOBAL const float* RESTRICT res, GLOBAL float* RESTRICT y,
                      int inC, int inH, int inW, int outC, int outH, int outW, int kh, int kw, int sh, int sw,
                      int pt, int pl, int dh, int dw, int hasBias, int hasRes, int act, float alpha) {
    LOCAL float patch[DW_PATCH_MAX];
    int lx = LID(0), ly = LID(1);
    int ox = GROUP(0) * DW_TILE + lx;
    int oy = GROUP(1) * DW_TILE + ly;
    int z = GROUP(2);
    int n = z / outC, o = z % outC;
    int c = o / (outC / inC);
    GLOBAL const float* xc = x + (n * inC + c) * inH * inW;
    GLOBAL const float* wo = w + o * kh * kw;
    int patchH = (DW_TILE - 1) * sh + (kh - 1) * dh + 1;
    int patchW = (DW_TILE - 1) * sw + (kw - 1) * dw + 1;
    int iy0 = GROUP(1) * DW_TILE * sh - pt;
    int ix0 = GROUP(0) * DW_TILE * sw - pl;
    int inside = ox < outW && oy < outH;
    float acc = 0.0f;
    if (patchH * patchW <= DW_PATCH_MAX) {
        for (int i = ly * DW_TILE + lx; i < patchH * patchW; i += DW_TILE * DW_TILE) {
            int iy = iy0 + i / patchW, ix = ix0 + i % patchW;
            patch[i] = iy >= 0 && iy < inH && ix >= 0 && ix < inW ? xc[iy * inW + ix] : 0.0f;
        }
        BARRIER();
        if (inside) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) acc += patch[(ly * sh + ky * dh) * patchW + lx * sw + kx * dw] * wo[ky * kw + kx];
            }
        }
    } else if (inside) {
        for (int ky = 0; ky < kh; ky++) {
            int iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= inH) continue;
            for (int kx = 0; kx < kw; kx++) {
                int ix = ox * sw - pl + kx * dw;
                if (ix >= 0 && ix < inW) acc += xc[iy * inW + ix] * wo[ky * kw + kx];
            }
        }
    }
    if (!inside) return;
    int at = ((n * outC + o) * outH + oy) * outW + ox;
    y[at] = epilogue(acc, bias, hasBias, o, res, hasRes, at, act, alpha);
}
