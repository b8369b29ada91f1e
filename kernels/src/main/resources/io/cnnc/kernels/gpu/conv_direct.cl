/* Direct convolution with local-memory tiling. A work-group of DIRECT_TILE x DIRECT_TILE items
 * computes that block of output pixels for DIRECT_OCB output channels of one group of one
 * sample; per input channel it stages the input patch the block reads, and the block's weights,
 * in local memory, so each input value is read from global memory once per work-group instead of
 * once per tap. Geometries whose patch does not fit (large stride or kernel) read global memory
 * directly; that choice is uniform across the work-group, so the barriers stay legal.
 * Global size: (tilesW * TILE, tilesH * TILE, batch * groups * ceil(outC/groups / OCB)). */
#define DIRECT_TILE 8
#define DIRECT_OCB 8
#define DIRECT_PATCH_MAX 1600
#define DIRECT_WEIGHTS_MAX 1024

KERNEL conv_direct(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT w, GLOBAL const float* RESTRICT bias,
                   GLOBAL const float* RESTRICT res, GLOBAL float* RESTRICT y,
                   int inC, int inH, int inW, int outC, int outH, int outW, int kh, int kw, int sh, int sw,
                   int pt, int pl, int dh, int dw, int groups, int hasBias, int hasRes, int act, float alpha) {
    LOCAL float patch[DIRECT_PATCH_MAX];
    LOCAL float wl[DIRECT_WEIGHTS_MAX];
    int lx = LID(0), ly = LID(1);
    int lid = ly * DIRECT_TILE + lx;
    int ox = GROUP(0) * DIRECT_TILE + lx;
    int oy = GROUP(1) * DIRECT_TILE + ly;
    int icg = inC / groups, ocg = outC / groups;
    int blocks = (ocg + DIRECT_OCB - 1) / DIRECT_OCB;
    int z = GROUP(2);
    int n = z / (groups * blocks);
    int g = (z / blocks) % groups;
    int ob = (z % blocks) * DIRECT_OCB;
    int o0 = g * ocg + ob;
    int nOc = ocg - ob < DIRECT_OCB ? ocg - ob : DIRECT_OCB;
    int taps = kh * kw;
    int patchH = (DIRECT_TILE - 1) * sh + (kh - 1) * dh + 1;
    int patchW = (DIRECT_TILE - 1) * sw + (kw - 1) * dw + 1;
    int staged = patchH * patchW <= DIRECT_PATCH_MAX && DIRECT_OCB * taps <= DIRECT_WEIGHTS_MAX;
    int iy0 = GROUP(1) * DIRECT_TILE * sh - pt;
    int ix0 = GROUP(0) * DIRECT_TILE * sw - pl;
    int inside = ox < outW && oy < outH;
    float acc[DIRECT_OCB];
    for (int o = 0; o < DIRECT_OCB; o++) acc[o] = 0.0f;
    for (int ic = 0; ic < icg; ic++) {
        GLOBAL const float* xc = x + (n * inC + g * icg + ic) * inH * inW;
        if (staged) {
            BARRIER();
            for (int i = lid; i < patchH * patchW; i += DIRECT_TILE * DIRECT_TILE) {
                int iy = iy0 + i / patchW, ix = ix0 + i % patchW;
                patch[i] = iy >= 0 && iy < inH && ix >= 0 && ix < inW ? xc[iy * inW + ix] : 0.0f;
            }
            for (int i = lid; i < DIRECT_OCB * taps; i += DIRECT_TILE * DIRECT_TILE) {
                int o = i / taps;
                wl[i] = o < nOc ? w[((o0 + o) * icg + ic) * taps + i % taps] : 0.0f;
            }
            BARRIER();
            if (inside) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        float v = patch[(ly * sh + ky * dh) * patchW + lx * sw + kx * dw];
                        for (int o = 0; o < DIRECT_OCB; o++) acc[o] += v * wl[o * taps + ky * kw + kx];
                    }
                }
            }
        } else if (inside) {
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * sh - pt + ky * dh;
                if (iy < 0 || iy >= inH) continue;
                for (int kx = 0; kx < kw; kx++) {
                    int ix = ox * sw - pl + kx * dw;
                    if (ix < 0 || ix >= inW) continue;
                    float v = xc[iy * inW + ix];
                    for (int o = 0; o < DIRECT_OCB; o++) {
                        if (o < nOc) acc[o] += v * w[((o0 + o) * icg + ic) * taps + ky * kw + kx];
                    }
                }
            }
        }
    }
    if (!inside) return;
    for (int o = 0; o < DIRECT_OCB; o++) {
        if (o < nOc) {
            int at = ((n * outC + o0 + o) * outH + oy) * outW + ox;
            y[at] = epilogue(acc[o], bias, hasBias, o0 + o, res, hasRes, at, act, alpha);
        }
    }
}
