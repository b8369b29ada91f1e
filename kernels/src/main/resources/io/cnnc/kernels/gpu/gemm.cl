/* C = act(beta * C + A B + bias) for a batch of matrices addressed by strides, so one kernel
 * serves transposed operands (dense layers forward and backward, weight gradients) and batched
 * products (the 16 Winograd products). Element (i, k) of A is A[aOff + b*aBs + i*aRs + k*aCs],
 * likewise for B and C; the bias of C[i][j] is bias[i*biasRs + j*biasCs]. Same 64 x 64 x 16
 * tiling as conv_gemm. Global size: (ceil(N/64) * 16, ceil(M/64) * 16, batches). */
KERNEL gemm(int M, int N, int K,
            GLOBAL const float* RESTRICT A, int aOff, int aRs, int aCs, int aBs,
            GLOBAL const float* RESTRICT B, int bOff, int bRs, int bCs, int bBs,
            GLOBAL float* C, int cOff, int cRs, int cCs, int cBs,
            GLOBAL const float* RESTRICT bias, int biasRs, int biasCs, int hasBias, float beta, int act, float alpha) {
    LOCAL float As[GEMM_TK][GEMM_TM];
    LOCAL float Bs[GEMM_TK][GEMM_TN];
    int lx = LID(0), ly = LID(1);
    int lid = ly * GEMM_WG + lx;
    int b = GROUP(2);
    int row0 = GROUP(1) * GEMM_TM;
    int col0 = GROUP(0) * GEMM_TN;
    GLOBAL const float* a = A + aOff + b * aBs;
    GLOBAL const float* bb = B + bOff + b * bBs;
    float acc[GEMM_R][GEMM_R];
    for (int i = 0; i < GEMM_R; i++) for (int j = 0; j < GEMM_R; j++) acc[i][j] = 0.0f;
    for (int k0 = 0; k0 < K; k0 += GEMM_TK) {
        for (int e = lid; e < GEMM_TK * GEMM_TM; e += GEMM_WG * GEMM_WG) {
            int kk = e % GEMM_TK, m = e / GEMM_TK;
            int k = k0 + kk, r = row0 + m;
            As[kk][m] = k < K && r < M ? a[r * aRs + k * aCs] : 0.0f;
        }
        for (int e = lid; e < GEMM_TK * GEMM_TN; e += GEMM_WG * GEMM_WG) {
            int jj = e % GEMM_TN, kk = e / GEMM_TN;
            int k = k0 + kk, col = col0 + jj;
            Bs[kk][jj] = k < K && col < N ? bb[k * bRs + col * bCs] : 0.0f;
        }
        BARRIER();
        for (int kk = 0; kk < GEMM_TK; kk++) {
            float av[GEMM_R], bv[GEMM_R];
            for (int i = 0; i < GEMM_R; i++) av[i] = As[kk][ly + i * GEMM_WG];
            for (int j = 0; j < GEMM_R; j++) bv[j] = Bs[kk][lx + j * GEMM_WG];
            for (int i = 0; i < GEMM_R; i++) for (int j = 0; j < GEMM_R; j++) acc[i][j] += av[i] * bv[j];
        }
        BARRIER();
    }
    GLOBAL float* c = C + cOff + b * cBs;
    for (int i = 0; i < GEMM_R; i++) {
        int r = row0 + ly + i * GEMM_WG;
        if (r >= M) continue;
        for (int j = 0; j < GEMM_R; j++) {
            int col = col0 + lx + j * GEMM_WG;
            if (col >= N) continue;
            int at = r * cRs + col * cCs;
            float v = acc[i][j];
            /* beta == 0 must not read C: it may hold garbage, even NaN, from a reused buffer. */
            if (beta != 0.0f) v += beta * c[at];
            if (hasBias) v += bias[r * biasRs + col * biasCs];
            c[at] = activate(v, act, alpha);
        }
    }
}
