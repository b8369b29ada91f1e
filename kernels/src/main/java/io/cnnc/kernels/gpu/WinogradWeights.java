package io.cnnc.kernels.gpu;

/**
 * The kernel side of Winograd F(2x2, 3x3): each 3x3 filter g becomes U = G g G^T (4x4),
 * G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]], computed once on the host in
 * double and stored as U[xi][k][c] (xi = the 16 tile positions), the layout of winograd.cl's
 * batched product.
 */
public final class WinogradWeights {

    private static final double[][] G = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};

    private WinogradWeights() {}

    /** {@code w} is PyTorch's [K][C][3][3]. */
    public static float[] transform(float[] w, int outC, int inC) {
        if (w.length != outC * inC * 9) throw new IllegalArgumentException("expected " + outC * inC * 9 + " weights, got " + w.length);
        float[] u = new float[16 * outC * inC];
        double[][] gg = new double[4][3];
        for (int k = 0; k < outC; k++) {
            for (int c = 0; c < inC; c++) {
                int base = (k * inC + c) * 9;
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 3; j++) {
                        double s = 0;
                        for (int t = 0; t < 3; t++) s += G[i][t] * w[base + t * 3 + j];
                        gg[i][j] = s;
                    }
                }
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double s = 0;
                        for (int t = 0; t < 3; t++) s += gg[i][t] * G[j][t];
                        u[((i * 4 + j) * outC + k) * inC + c] = (float) s;
                    }
                }
            }
        }
        return u;
    }
}
