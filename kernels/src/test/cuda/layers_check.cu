/* Checks cnnc's reduction, normalisation and training kernels (CUDA spelling) on an NVIDIA GPU
 * against double-precision references: dense, global pooling, softmax, layernorm, convolution input
 * and weight gradients (split and small variants), training-mode BatchNorm. Compiled and run by
 * scripts/cuda-kernel-check.sh, like conv_check.cu. */
static int fails = 0;
static void rep(const char *w, const V &a, const V &b, double tol) {
    double e = 0, m = 0;
    for (size_t i = 0; i < a.size(); i++) {
        double d = fabs((double)a[i] - b[i]);
        if (d != d)
            d = 1e30;
        e = fmax(e, d);
        m = fmax(m, fabs(b[i]));
    }
    cudaError_t ce = cudaDeviceSynchronize();
    bool ok = e / m <= tol && ce == cudaSuccess;
    fails += !ok;
    printf("%s %-44s error %.2e %s\n", ok ? "ok  " : "FAIL", w, e / m, cudaGetErrorString(ce));
}
static unsigned B(size_t n, int l) {
    return (unsigned)((n + l - 1) / l);
}
int main() {
    int devices = 0;
    cudaError_t status = cudaGetDeviceCount(&devices);
    if (status != cudaSuccess || devices == 0) {
        printf("no CUDA device: %s\n", status != cudaSuccess ? cudaGetErrorString(status) : "none found");
        return 2;
    }
    {
        int n = 3, in = 517, u = 37;
        V x = rnd(n * in, 1), w = rnd(u * in, 2), b = rnd(u, 3), want(n * u);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < u; j++) {
                double s = b[j];
                for (int k = 0; k < in; k++)
                    s += (double)x[i * in + k] * w[j * in + k];
                want[i * u + j] = s;
            }
        float *dy = up(V(n * u, NAN));
        dense<<<dim3(u, n, 1), 64>>>(up(x), up(w), up(b), dy, in, u, 1, 0, 0.f);
        rep("dense 3x517 -> 37", down(dy, n * u), want, 1e-5);
    }
    {
        int rows = 10, sp = 777;
        V x = rnd(rows * sp, 4), wa(rows), wm(rows);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            float m = -INFINITY;
            for (int i = 0; i < sp; i++) {
                s += x[r * sp + i];
                m = fmaxf(m, x[r * sp + i]);
            }
            wa[r] = s / sp;
            wm[r] = m;
        }
        float *dx = up(x), *a = up(V(rows, NAN)), *m = up(V(rows, NAN));
        global_pool<<<rows, 64>>>(dx, a, sp, 0);
        global_pool<<<rows, 64>>>(dx, m, sp, 1);
        rep("global average pool", down(a, rows), wa, 1e-5);
        rep("global max pool", down(m, rows), wm, 0);
    }
    {
        int n = 2, C = 9, sp = 35;
        V x = rnd(n * C * sp, 5), g = rnd(C, 6), be = rnd(C, 7), ws(n * C * sp), wl(n * C * sp);
        for (int i = 0; i < n; i++)
            for (int p = 0; p < sp; p++) {
                double mx = -1e30, s = 0, mu = 0, v = 0;
                for (int c = 0; c < C; c++)
                    mx = fmax(mx, x[(i * C + c) * sp + p]);
                for (int c = 0; c < C; c++)
                    s += exp(x[(i * C + c) * sp + p] - mx);
                for (int c = 0; c < C; c++) {
                    ws[(i * C + c) * sp + p] = exp(x[(i * C + c) * sp + p] - mx) / s;
                    mu += x[(i * C + c) * sp + p];
                }
                mu /= C;
                for (int c = 0; c < C; c++)
                    v += pow(x[(i * C + c) * sp + p] - mu, 2);
                v /= C;
                for (int c = 0; c < C; c++)
                    wl[(i * C + c) * sp + p] = (x[(i * C + c) * sp + p] - mu) / sqrt(v + 1e-6) * g[c] + be[c];
            }
        float *dx = up(x), *s = up(V(n * C * sp)), *l = up(V(n * C * sp));
        softmax_channels<<<B(n * sp, 64), 64>>>(dx, s, n, C, sp);
        layernorm<<<B(n * sp, 64), 64>>>(dx, up(g), up(be), l, n, C, sp, 1e-6f);
        rep("softmax over channels", down(s, n * C * sp), ws, 1e-5);
        rep("layernorm", down(l, n * C * sp), wl, 1e-5);
    }
    for (int t = 0; t < 3; t++) {
        int n = t == 2 ? 8 : 2, C = t == 1 ? 6 : 16, H = t == 2 ? 30 : 11, W = t == 2 ? 30 : 9, K = t == 1 ? 9 : 32,
            kh = 3, kw = 3, s = t == 1 ? 1 : 2, p = 1, d = t == 1 ? 2 : 1, g = t == 1 ? 3 : 1;
        int OH = (H + 2 * p - d * (kh - 1) - 1) / s + 1, OW = (W + 2 * p - d * (kw - 1) - 1) / s + 1, icg = C / g,
            ocg = K / g, Kr = icg * kh * kw;
        V x = rnd(n * C * H * W, 8 + t), w = rnd(K * Kr, 9 + t), dy = rnd(n * K * OH * OW, 10 + t),
          wdx(n * C * H * W, 0), wdw(K * Kr, 0);
        for (int i = 0; i < n; i++)
            for (int o = 0; o < K; o++)
                for (int oy = 0; oy < OH; oy++)
                    for (int ox = 0; ox < OW; ox++)
                        for (int ic = 0; ic < icg; ic++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * s - p + ky * d, ix = ox * s - p + kx * d;
                                    if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                        continue;
                                    int c = (o / ocg) * icg + ic;
                                    double gy = dy[((i * K + o) * OH + oy) * OW + ox];
                                    wdx[((i * C + c) * H + iy) * W + ix] +=
                                        gy * w[(o * icg + ic) * kh * kw + ky * kw + kx];
                                    wdw[(o * icg + ic) * kh * kw + ky * kw + kx] +=
                                        gy * x[((i * C + c) * H + iy) * W + ix];
                                }
        float *ddx = up(V(n * C * H * W, NAN)), *ddw = up(V(K * Kr, NAN)), *ddw2 = up(V(K * Kr, NAN));
        int splits = 4;
        float *part = up(V(splits * K * Kr));
        conv_backward_data<<<B(n * C * H * W, 64), 64>>>(up(dy), up(w), ddx, n, C, H, W, K, OH, OW, kh, kw, s, s, p, p,
                                                         d, d, g, 0.f);
        conv_backward_weight<<<dim3(B(Kr, 64), B(ocg, 64), g * splits), dim3(16, 16)>>>(
            up(x), up(dy), part, n, C, H, W, K, OH, OW, kh, kw, s, s, p, p, d, d, g, splits, 0.f);
        sum_splits<<<B(K * Kr, 64), 64>>>(part, ddw, K * Kr, splits, 0.f);
        conv_backward_weight_small<<<K * Kr, 64>>>(up(x), up(dy), ddw2, n, C, H, W, K, OH, OW, kh, kw, s, s, p, p, d, d,
                                                   g, 0.f);
        char nm[80];
        sprintf(nm, "conv backward data (case %d)", t);
        rep(nm, down(ddx, n * C * H * W), wdx, 1e-5);
        sprintf(nm, "conv backward weight, split in 4 (case %d)", t);
        rep(nm, down(ddw, K * Kr), wdw, 1e-5);
        sprintf(nm, "conv backward weight, small kernel (case %d)", t);
        rep(nm, down(ddw2, K * Kr), wdw, 1e-5);
    }
    {
        int n = 4, C = 5, sp = 123;
        V x = rnd(n * C * sp, 20), g = rnd(C, 21), be = rnd(C, 22), want(n * C * sp), rm(C, 0.5f), rv(C, 2.f), wrm(C),
          wrv(C);
        for (int c = 0; c < C; c++) {
            double mu = 0, v = 0;
            for (int i = 0; i < n; i++)
                for (int p = 0; p < sp; p++)
                    mu += x[(i * C + c) * sp + p];
            mu /= n * sp;
            for (int i = 0; i < n; i++)
                for (int p = 0; p < sp; p++)
                    v += pow(x[(i * C + c) * sp + p] - mu, 2);
            wrm[c] = 0.9 * 0.5 + 0.1 * mu;
            wrv[c] = 0.9 * 2 + 0.1 * v / (n * sp - 1);
            v /= n * sp;
            for (int i = 0; i < n; i++)
                for (int p = 0; p < sp; p++)
                    want[(i * C + c) * sp + p] = (x[(i * C + c) * sp + p] - mu) / sqrt(v + 1e-5) * g[c] + be[c];
        }
        float *dx = up(x), *mean = up(V(C)), *inv = up(V(C)), *drm = up(rm), *drv = up(rv), *y = up(V(n * C * sp, NAN));
        bn_train_stats<<<C, 64>>>(dx, mean, inv, drm, drv, n, C, sp, 1e-5f, 0.1f);
        bn_train_apply<<<B(n * C * sp, 64), 64>>>(dx, y, mean, inv, up(g), up(be), n * C * sp, C, sp);
        rep("batchnorm training forward", down(y, n * C * sp), want, 1e-5);
        rep("batchnorm running mean", down(drm, C), wrm, 1e-5);
        rep("batchnorm running var", down(drv, C), wrv, 1e-5);
    }
    printf("%s\n", fails ? "SOME FAILED" : "ALL OK");
    return fails;
}
