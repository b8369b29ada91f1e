/* Checks cnnc's convolution kernels (CUDA spelling) on an NVIDIA GPU against a double-precision
 * reference, and times each strategy on typical layers. Needs no Java: scripts/cuda-kernel-check.sh
 * prepends the CUDA prelude and the kernel library to this file and compiles it with nvcc. The JUnit
 * tests do the same checks through the Java host plan on OpenCL (PoCL) in CI. */
static int od(int i, int k, int s, int p0, int p1, int d) {
    return (i + p0 + p1 - d * (k - 1) - 1) / s + 1;
}
struct G {
    int n, C, H, W, K, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, g;
    int oh() const {
        return od(H, kh, sh, pt, pb, dh);
    }
    int ow() const {
        return od(W, kw, sw, pl, pr, dw);
    }
};
static V ref(const G &g, const V &x, const V &w, const V &b, const V &r, int act) {
    int OH = g.oh(), OW = g.ow(), icg = g.C / g.g, ocg = g.K / g.g;
    V y((size_t)g.n * g.K * OH * OW);
    for (int n = 0; n < g.n; n++)
        for (int o = 0; o < g.K; o++)
            for (int oy = 0; oy < OH; oy++)
                for (int ox = 0; ox < OW; ox++) {
                    double s = b[o];
                    int gg = o / ocg;
                    for (int ic = 0; ic < icg; ic++)
                        for (int ky = 0; ky < g.kh; ky++) {
                            int iy = oy * g.sh - g.pt + ky * g.dh;
                            if (iy < 0 || iy >= g.H)
                                continue;
                            for (int kx = 0; kx < g.kw; kx++) {
                                int ix = ox * g.sw - g.pl + kx * g.dw;
                                if (ix < 0 || ix >= g.W)
                                    continue;
                                s += (double)x[((n * g.C + gg * icg + ic) * g.H + iy) * g.W + ix] *
                                     w[((o * icg + ic) * g.kh + ky) * g.kw + kx];
                            }
                        }
                    size_t at = ((size_t)(n * g.K + o) * OH + oy) * OW + ox;
                    s += r[at];
                    if (act == 1 && s < 0)
                        s = 0;
                    y[at] = (float)s;
                }
    return y;
}
static double err(const V &a, const V &b) {
    double e = 0, m = 0;
    for (size_t i = 0; i < a.size(); i++) {
        double d = fabs((double)a[i] - b[i]);
        if (d != d)
            d = 1e30;
        e = fmax(e, d);
        m = fmax(m, fabs(b[i]));
    }
    return e / m;
}
static V wino(const V &w, int K, int C) {
    double G_[4][3] = {{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};
    V u(16 * K * C);
    for (int k = 0; k < K; k++)
        for (int c = 0; c < C; c++) {
            double t[4][3];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 3; j++) {
                    t[i][j] = 0;
                    for (int q = 0; q < 3; q++)
                        t[i][j] += G_[i][q] * w[((k * C + c) * 3 + q) * 3 + j];
                }
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) {
                    double s = 0;
                    for (int q = 0; q < 3; q++)
                        s += t[i][q] * G_[j][q];
                    u[((i * 4 + j) * K + k) * C + c] = (float)s;
                }
        }
    return u;
}
// strategy: 0 direct 1 gemm 2 depthwise 3 winograd; returns ms per call over reps
static double run(int st, const G &g, float *x, float *w, float *b, float *r, float *y, float *wa, float *wb,
                  int reps) {
    int OH = g.oh(), OW = g.ow(), ocg = g.K / g.g;
    cudaEvent_t e0, e1;
    cudaEventCreate(&e0);
    cudaEventCreate(&e1);
    cudaEventRecord(e0);
    for (int i = 0; i < reps; i++) {
        if (st == 0)
            conv_direct<<<dim3((OW + 7) / 8, (OH + 7) / 8, g.n * g.g * ((ocg + 7) / 8)), dim3(8, 8, 1)>>>(
                x, w, b, r, y, g.C, g.H, g.W, g.K, OH, OW, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, g.g, 1, 1, 1,
                0.f);
        if (st == 1) {
            int N = g.n * OH * OW;
            conv_gemm<<<dim3((N + 63) / 64, (ocg + 63) / 64, g.g), dim3(16, 16, 1)>>>(
                x, w, b, r, y, g.n, g.C, g.H, g.W, g.K, OH, OW, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, g.g, 1,
                1, 1, 0.f);
        }
        if (st == 2)
            conv_depthwise<<<dim3((OW + 15) / 16, (OH + 15) / 16, g.n * g.K), dim3(16, 16, 1)>>>(
                x, w, b, r, y, g.C, g.H, g.W, g.K, OH, OW, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, 1, 1, 1,
                0.f);
        if (st == 3) {
            int th = (OH + 1) / 2, tw = (OW + 1) / 2, P = g.n * th * tw;
            winograd_input<<<dim3((P + 63) / 64, g.C, 1), dim3(64, 1, 1)>>>(x, wa, g.C, g.H, g.W, g.pt, g.pl, th, tw,
                                                                            P);
            gemm<<<dim3((P + 63) / 64, (g.K + 63) / 64, 16), dim3(16, 16, 1)>>>(g.K, P, g.C, w, 0, g.C, 1, g.K * g.C,
                                                                                wa, 0, P, 1, g.C * P, wb, 0, P, 1,
                                                                                g.K * P, b, 0, 0, 0, 0.f, 0, 0.f);
            winograd_output<<<dim3((P + 63) / 64, g.K, 1), dim3(64, 1, 1)>>>(wb, b, r, y, g.K, OH, OW, th, tw, P, 1, 1,
                                                                             1, 0.f);
        }
    }
    cudaEventRecord(e1);
    cudaEventSynchronize(e1);
    float ms;
    cudaEventElapsedTime(&ms, e0, e1);
    return ms / reps;
}
static int fails = 0;
static void check(int st, G g, unsigned seed, int reps) {
    int OH = g.oh(), OW = g.ow();
    size_t ny = (size_t)g.n * g.K * OH * OW;
    V x = rnd((size_t)g.n * g.C * g.H * g.W, seed), w = rnd((size_t)g.K * (g.C / g.g) * g.kh * g.kw, seed + 1),
      b = rnd(g.K, seed + 2), r = rnd(ny, seed + 3);
    V want = reps ? V() : ref(g, x, w, b, r, 1);
    float *dx = up(x), *dw = up(st == 3 ? wino(w, g.K, g.C) : w), *db = up(b), *dr = up(r), *dy = up(V(ny, NAN));
    int th = (OH + 1) / 2, tw = (OW + 1) / 2;
    size_t P = (size_t)g.n * th * tw;
    float *wa = up(V(st == 3 ? 16 * g.C * P : 1)), *wb = up(V(st == 3 ? 16 * g.K * P : 1));
    double ms = run(st, g, dx, dw, db, dr, dy, wa, wb, reps ? reps : 1);
    cudaError_t ce = cudaDeviceSynchronize();
    const char *nm[] = {"direct", "gemm", "depthwise", "winograd"};
    if (reps) {
        double fl = 2.0 * g.n * g.K * OH * OW * (g.C / g.g) * g.kh * g.kw;
        printf("time %-9s %dx%dx%d->%d k%d s%d g%d batch %d: %.4f ms (%.0f GFLOP/s)\n", nm[st], g.C, g.H, g.W, g.K,
               g.kh, g.sh, g.g, g.n, ms, fl / ms / 1e6);
    } else {
        double e = err(down(dy, ny), want);
        bool ok = e <= (st == 3 ? 1e-4 : 1e-5) && ce == cudaSuccess;
        fails += !ok;
        printf("%s %-9s C%d %dx%d K%d k%dx%d s%d pad%d,%d,%d,%d d%d g%d n%d: error %.2e %s\n", ok ? "ok  " : "FAIL",
               nm[st], g.C, g.H, g.W, g.K, g.kh, g.kw, g.sh, g.pt, g.pl, g.pb, g.pr, g.dh, g.g, g.n, e,
               cudaGetErrorString(ce));
    }
    cudaFree(dx);
    cudaFree(dw);
    cudaFree(db);
    cudaFree(dr);
    cudaFree(dy);
    cudaFree(wa);
    cudaFree(wb);
}
int main() {
    int devices = 0;
    cudaError_t status = cudaGetDeviceCount(&devices);
    if (status != cudaSuccess || devices == 0) {
        printf("no CUDA device: %s\n", status != cudaSuccess ? cudaGetErrorString(status) : "none found");
        return 2;
    }
    cudaDeviceProp p;
    cudaGetDeviceProperties(&p, 0);
    printf("device %s sm_%d%d\n", p.name, p.major, p.minor);
    G gs[] = {{2, 3, 17, 13, 23, 3, 3, 2, 2, 1, 1, 0, 1, 1, 1, 1},
              {1, 6, 12, 11, 9, 5, 3, 1, 1, 2, 1, 2, 0, 2, 2, 3},
              {2, 16, 9, 10, 70, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
              {1, 3, 47, 45, 10, 11, 11, 4, 4, 2, 2, 2, 2, 1, 1, 1}};
    for (auto &g : gs) {
        check(0, g, 1, 0);
        check(1, g, 2, 0);
    }
    G dws[] = {{2, 7, 13, 11, 14, 3, 5, 1, 1, 2, 2, 1, 2, 1, 1, 7}, {1, 6, 40, 40, 6, 9, 9, 3, 3, 4, 4, 4, 4, 2, 2, 6}};
    for (auto &g : dws)
        check(2, g, 3, 0);
    G ws[] = {{2, 17, 14, 9, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 5, 7, 6, 3, 3, 3, 1, 1, 0, 0, 1, 1, 1, 1, 1}};
    for (auto &g : ws)
        check(3, g, 4, 0);
    G t1 = {1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      t2 = {1, 256, 56, 56, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
      t3 = {1, 144, 56, 56, 144, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 144},
      t4 = {32, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    for (int s : {0, 1, 3})
        check(s, t1, 5, 20);
    for (int s : {0, 1})
        check(s, t2, 5, 20);
    for (int s : {0, 2})
        check(s, t3, 5, 20);
    for (int s : {1, 3})
        check(s, t4, 5, 10);
    printf("%s\n", fails ? "SOME FAILED" : "ALL OK");
    return fails;
}
