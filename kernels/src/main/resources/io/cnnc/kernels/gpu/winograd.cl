/* Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions without groups, in three steps: each 4x4
 * input tile d becomes V = B^T d B (winograd_input), the 16 tile positions are 16 independent
 * products M = U V with the kernel transformed once on the host, U = G g G^T (the gemm kernel,
 * batched), and each 4x4 M becomes a 2x2 output block A^T M A (winograd_output), where the
 * fused epilogue runs. 16 multiplies per 4 outputs per channel pair instead of 36.
 * Layouts: V[xi][c][p], U[xi][k][c], M[xi][k][p], p = (n * tilesH + ty) * tilesW + tx. */

/* Global size: (P rounded up, C). */
KERNEL winograd_input(GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT v, int C, int inH, int inW,
                      int pt, int pl, int tilesH, int tilesW, int P) {
    int p = GID(0), c = GID(1);
    if (p >= P || c >= C) return;
    int tw = p % tilesW, th = (p / tilesW) % tilesH, n = p / (tilesW * tilesH);
    int iy0 = th * 2 - pt, ix0 = tw * 2 - pl;
    GLOBAL const float* xc = x + (n * C + c) * inH * inW;
    float d[4][4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            int iy = iy0 + i, ix = ix0 + j;
            d[i][j] = iy >= 0 && iy < inH && ix >= 0 && ix < inW ? xc[iy * inW + ix] : 0.0f;
        }
    }
    float t[4][4];
    for (int j = 0; j < 4; j++) {
        t[0][j] = d[0][j] - d[2][j];
        t[1][j] = d[1][j] + d[2][j];
        t[2][j] = d[2][j] - d[1][j];
        t[3][j] = d[1][j] - d[3][j];
    }
    int stride = C * P;
    GLOBAL float* out = v + c * P + p;
    for (int i = 0; i < 4; i++) {
        out[(i * 4 + 0) * stride] = t[i][0] - t[i][2];
        out[(i * 4 + 1) * stride] = t[i][1] + t[i][2];
        out[(i * 4 + 2) * stride] = t[i][2] - t[i][1];
        out[(i * 4 + 3) * stride] = t[i][1] - t[i][3];
    }
}

/* Global size: (P rounded up, K). */
KERNEL winograd_output(GLOBAL const float* RESTRICT m, GLOBAL const float* RESTRICT bias, GLOBAL const float* RESTRICT res,
                       GLOBAL float* RESTRICT y, int K, int outH, int outW, int tilesH, int tilesW, int P,
                       int hasBias, int hasRes, int act, float alpha) {
    int p = GID(0), k = GID(1);
    if (p >= P || k >= K) return;
    int tw = p % tilesW, th = (p / tilesW) % tilesH, n = p / (tilesW * tilesH);
    int stride = K * P;
    GLOBAL const float* in = m + k * P + p;
    float s[2][4];
    for (int j = 0; j < 4; j++) {
        float m0 = in[(0 * 4 + j) * stride], m1 = in[(1 * 4 + j) * stride];
        float m2 = in[(2 * 4 + j) * stride], m3 = in[(3 * 4 + j) * stride];
        s[0][j] = m0 + m1 + m2;
        s[1][j] = m1 - m2 - m3;
    }
    for (int i = 0; i < 2; i++) {
        int oy = th * 2 + i;
        if (oy >= outH) continue;
        float out[2];
        out[0] = s[i][0] + s[i][1] + s[i][2];
        out[1] = s[i][1] - s[i][2] - s[i][3];
        for (int j = 0; j < 2; j++) {
            int ox = tw * 2 + j;
            if (ox >= outW) continue;
            int at = ((n * K + k) * outH + oy) * outW + ox;
            y[at] = epilogue(out[j], bias, hasBias, k, res, hasRes, at, act, alpha);
        }
    }
}
