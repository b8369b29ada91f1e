package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;

/**
 * The three matrices of a Winograd minimal filtering algorithm F(m x m, 3 x 3) (Lavin and Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2016): an output tile of m x m from an
 * input tile of t x t, t = m + 2, as {@code Y = A^T [(G g G^T) ⊙ (B^T d B)] A}.
 * {@code g} is in double because weights are transformed once, in double, and rounded to float
 * once; the data transforms run in float.
 *
 * @param label for {@code --explain}, e.g. {@code F(4x4,3x3)}
 * @param m     output tile size
 * @param g     filter transform, t x 3
 * @param bt    input transform B^T, t x t
 * @param at    output transform A^T, m x t
 */
public record WinogradTransform(String label, int m, double[][] g, float[][] bt, float[][] at) {

    /** F(2x2,3x3), interpolation points 0, 1, -1 (and infinity). */
    public static final WinogradTransform F23 = new WinogradTransform("F(2x2,3x3)", 2,
            new double[][] {
                {1, 0, 0},
                {0.5, 0.5, 0.5},
                {0.5, -0.5, 0.5},
                {0, 0, 1}},
            new float[][] {
                {1, 0, -1, 0},
                {0, 1, 1, 0},
                {0, -1, 1, 0},
                {0, 1, 0, -1}},
            new float[][] {
                {1, 1, 1, 0},
                {0, 1, -1, -1}});

    /** F(4x4,3x3), interpolation points 0, 1, -1, 2, -2 (and infinity). */
    public static final WinogradTransform F43 = new WinogradTransform("F(4x4,3x3)", 4,
            new double[][] {
                {1.0 / 4, 0, 0},
                {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                {1.0 / 24, 1.0 / 12, 1.0 / 6},
                {1.0 / 24, -1.0 / 12, 1.0 / 6},
                {0, 0, 1}},
            new float[][] {
                {4, 0, -5, 0, 1, 0},
                {0, -4, -4, 1, 1, 0},
                {0, 4, -4, -1, 1, 0},
                {0, -2, -1, 2, 1, 0},
                {0, 2, -1, -2, 1, 0},
                {0, 4, 0, -5, 0, 1}},
            new float[][] {
                {1, 1, 1, 1, 1, 0},
                {0, 1, -1, 2, -2, 0},
                {0, 1, 1, 4, 4, 0},
                {0, 1, -1, 8, -8, 1}});

    public WinogradTransform {
        int t = m + 2;
        if (g.length != t || bt.length != t || at.length != m) {
            throw new IllegalArgumentException(label + ": matrices do not match m = " + m);
        }
    }

    /** Input tile size m + 2. */
    public int t() {
        return m + 2;
    }

    /** Frequencies per tile, t^2: one GEMM each. */
    /** How many times fewer multiplies than direct: m*m outputs of 9 taps each for t*t products, 2.25 (F23) or 4 (F43). */
    public double multiplyReduction() {
        return (double) (m * m * 9) / (t() * t());
    }

    /** Output tiles of one sample of {@code g}, partial tiles at the edges counted whole. */
    double tiles(ConvGeometry g) {
        return Math.ceil(g.outH() / (double) m) * Math.ceil(g.outW() / (double) m);
    }

    /** The input and output transforms' flops: about t*t vector ops per tile and channel each way. */
    double transformFlops(ConvGeometry g) {
        return (g.inC() + g.outC()) * tiles(g) * t() * t() * 4.0;
    }

    public int frequencies() {
        return t() * t();
    }

    /** Room for w G^T of the largest tile (F(4x4): 3 x 6). */
    private static final ThreadLocal<double[]> FILTER_SCRATCH = ThreadLocal.withInitial(() -> new double[3 * 6]);

    /**
     * U = G w G^T for one 3x3 filter {@code w[off..off+9)} row-major, in double, as t*t floats
     * row-major into {@code u[uOff + f * uStride]}, f = row * t + column.
     */
    void transformFilter(float[] w, int off, float[] u, int uOff, int uStride) {
        int t = t();
        // w G^T, [3][t] flat in a thread's buffer: training transforms every filter at every step,
        // and a new double[3][t] per filter was a quarter of a ResNet-20 step's garbage.
        double[] wg = FILTER_SCRATCH.get();
        for (int a = 0; a < 3; a++) {
            for (int k = 0; k < t; k++) {
                double s = 0;
                for (int b = 0; b < 3; b++) s += w[off + a * 3 + b] * g[k][b];
                wg[a * t + k] = s;
            }
        }
        for (int k1 = 0; k1 < t; k1++) {
            for (int k2 = 0; k2 < t; k2++) {
                double s = 0;
                for (int a = 0; a < 3; a++) s += g[k1][a] * wg[a * t + k2];
                u[uOff + (k1 * t + k2) * uStride] = (float) s;
            }
        }
    }
}
