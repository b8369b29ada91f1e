/* Convolution as an implicit GEMM: per group, Y[o][j] = sum_k W[o][k] * X'[k][j] where
 * k = (ic, ky, kx) and j = (n, oy, ox). X' is the im2col matrix, never written out: each tile of
 * it is gathered from the input straight into local memory. A work-group of 16 x 16 items
 * computes a GEMM_TM x GEMM_TN (64 x 64, common.h) tile of Y, each item a 4 x 4 register block whose
 * rows and columns are 16 apart, so neighbouring items read neighbouring local-memory words.
 * Global size: (ceil(N/64) * 16, ceil(ocg/64) * 16, groups) with N = batch * outH * outW. */
KERNEL conv_gemm(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT w, GLOBAL const float* RESTRICT bias,
                 GLOBAL const float* RESTRICT res, GLOBAL float* RESTRICT y, int batch,
                 int inC, int inH, int inW, int outC, int outH, int outW, int kh, int kw, int sh, int sw,
                 int pt, int pl, int dh, int dw, int groups, int hasBias, int hasRes, int act, float alpha) {
    LOCAL float As[GEMM_TK][GEMM_TM];
    LOCAL float Bs[GEMM_TK][GEMM_TN];
    int lx = LID(0), ly = LID(1);
    int lid = ly * GEMM_WG + lx;
    int g = GROUP(2);
    int icg = inC / groups, ocg = outC / groups;
    int taps = kh * kw;
    int K = icg * taps;
    int hw = outH * outW;
    int N = batch * hw;
    int row0 = GROUP(1) * GEMM_TM;
    int col0 = GROUP(0) * GEMM_TN;
    float acc[GEMM_R][GEMM_R];
    for (int i = 0; i < GEMM_R; i++) for (int j = 0; j < GEMM_R; j++) acc[i][j] = 0.0f;
    for (int k0 = 0; k0 < K; k0 += GEMM_TK) {
        for (int e = lid; e < GEMM_TK * GEMM_TM; e += GEMM_WG * GEMM_WG) {
            int kk = e % GEMM_TK, m = e / GEMM_TK;
            int k = k0 + kk, o = row0 + m;
            As[kk][m] = k < K && o < ocg ? w[(g * ocg + o) * K + k] : 0.0f;
        }
        for (int e = lid; e < GEMM_TK * GEMM_TN; e += GEMM_WG * GEMM_WG) {
            int jj = e % GEMM_TN, kk = e / GEMM_TN;
            int k = k0 + kk, j = col0 + jj;
            Bs[kk][jj] = k < K && j < N ? im2col_at(x, k, j, g, icg, inC, inH, inW, outW, hw, taps, kw, sh, sw, pt, pl, dh, dw) : 0.0f;
        }
        BARRIER();
        for (int kk = 0; kk < GEMM_TK; kk++) {
            float a[GEMM_R], b[GEMM_R];
            for (int i = 0; i < GEMM_R; i++) a[i] = As[kk][ly + i * GEMM_WG];
            for (int j = 0; j < GEMM_R; j++) b[j] = Bs[kk][lx + j * GEMM_WG];
            for (int i = 0; i < GEMM_R; i++) for (int j = 0; j < GEMM_R; j++) acc[i][j] += a[i] * b[j];
        }
        BARRIER();
    }
    for (int i = 0; i < GEMM_R; i++) {
        int o = row0 + ly + i * GEMM_WG;
        if (o >= ocg) continue;
        for (int j = 0; j < GEMM_R; j++) {
            int col = col0 + lx + j * GEMM_WG;
            if (col >= N) continue;
            int at = ((col / hw) * outC + g * ocg + o) * hw + col % hw;
            y[at] = epilogue(acc[i][j], bias, hasBias, g * ocg + o, res, hasRes, at, act, alpha);
        }
    }
}
