package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.gemm.BPanels;
import io.cnnc.kernels.cpu.gemm.PackedA;
import io.cnnc.kernels.cpu.gemm.PackedGemm;

/**
 * Convolution as a matrix product per sample and group: weights [outC/groups, inC/groups*kH*kW]
 * packed once, times the im2col matrix packed on the fly from the input ({@link Im2colPanels}),
 * or, for an unpadded 1x1 conv ("gemm-1x1"), times the input itself (gathered into the panels
 * by {@link SubsampledPanels} when the conv has a stride). Output columns
 * (pixels) are split across cores in NR-aligned chunks and each task applies the epilogue to its
 * own chunk while it is still in cache.
 */
public final class GemmConvStrategy implements ConvStrategy {

    private final boolean pointwise;

    private GemmConvStrategy(boolean pointwise) {
        this.pointwise = pointwise;
    }

    /** "im2col-gemm": any geometry. */
    public static GemmConvStrategy im2col() {
        return new GemmConvStrategy(false);
    }

    /** "gemm-1x1": 1x1, no padding, where the input (every stride-th pixel of it) is the B matrix. */
    public static GemmConvStrategy pointwise() {
        return new GemmConvStrategy(true);
    }

    public String name() {
        return pointwise ? "gemm-1x1" : "im2col-gemm";
    }

    public boolean supports(ConvGeometry g) {
        if (!pointwise) return true;
        return g.kernelH() == 1 && g.kernelW() == 1 && g.padTop() == 0 && g.padLeft() == 0 && g.padBottom() == 0 && g.padRight() == 0;
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (!supports(g)) throw new IllegalArgumentException(name() + " does not compute " + g);
        int groups = g.groups();
        int outPerGroup = g.outC() / groups;
        int k = g.inC() / groups * g.kernelH() * g.kernelW();
        PackedA[] packed = new PackedA[groups];
        for (int grp = 0; grp < groups; grp++) packed[grp] = PackedA.of(weight, grp * outPerGroup * k, outPerGroup, k, k);
        return new Kernel(g, packed, epilogue, parallel, pointwise);
    }

    /** The GEMM rounds output channels to MR and pixels to NR; im2col-gemm packs the whole im2col matrix. */
    @Override
    public ConvWork work(ConvGeometry g, int threads) {
        double padding = ConvWork.roundedUp(g.outC() / g.groups(), PackedGemm.MR) * ConvWork.roundedUp(g.outH() * g.outW(), PackedGemm.NR);
        if (!pointwise) return Im2colPanels.packedOnTheFly(g, ConvWork.padded(g, padding, "packed GEMM"));
        return ConvWork.padded(g, padding, g.strideH() * g.strideW() == 1 ? "1x1: the input already is the GEMM's right-hand matrix"
                : "strided 1x1: every stride-th input pixel gathered straight into the GEMM's panels");
    }

    private static final class Kernel implements ConvKernel {
        private final ConvGeometry g;
        private final PackedA[] weights;
        private final Epilogue epilogue;
        private final Parallel parallel;
        private final boolean pointwise;
        private final boolean strided;
        private final int hw;
        private final int chunks;
        private final ThreadLocal<Im2colPanels> panels;

        Kernel(ConvGeometry g, PackedA[] weights, Epilogue epilogue, Parallel parallel, boolean pointwise) {
            this.g = g;
            this.weights = weights;
            this.epilogue = epilogue;
            this.parallel = parallel;
            this.pointwise = pointwise;
            this.strided = g.strideH() != 1 || g.strideW() != 1;
            this.hw = g.outH() * g.outW();
            int colPanels = (hw + PackedGemm.NR - 1) / PackedGemm.NR;
            this.chunks = Math.max(1, Math.min(parallel.threads(), colPanels));
            this.panels = ThreadLocal.withInitial(() -> new Im2colPanels(g));
        }

        public void forward(float[] x, float[] residual, float[] y, int batch) {
            int colPanels = (hw + PackedGemm.NR - 1) / PackedGemm.NR;
            parallel.forRange(batch * chunks, task -> {
                int n = task / chunks;
                int chunk = task % chunks;
                int lo = colPanels * chunk / chunks * PackedGemm.NR;
                int hi = Math.min(hw, colPanels * (chunk + 1) / chunks * PackedGemm.NR);
                run(x, residual, y, n, lo, hi);
            });
        }

        private void run(float[] x, float[] residual, float[] y, int n, int lo, int hi) {
            int groups = weights.length;
            int inPerGroup = g.inC() / groups;
            int outPerGroup = g.outC() / groups;
            int inPlane = g.inH() * g.inW();
            for (int grp = 0; grp < groups; grp++) {
                int xOff = (n * g.inC() + grp * inPerGroup) * inPlane;
                BPanels b = !pointwise ? panels.get().source(x, xOff)
                        : strided ? new SubsampledPanels(g, x, xOff) : BPanels.dense(x, xOff, inPerGroup, hw, hw);
                int yOff = (n * g.outC() + grp * outPerGroup) * hw;
                PackedGemm.multiply(weights[grp], 0, outPerGroup, b, lo, hi, y, yOff, hw, false);
            }
            for (int oc = 0; oc < g.outC(); oc++) epilogue.apply(y, (n * g.outC() + oc) * hw + lo, hi - lo, oc, residual);
        }

        public String tiling() {
            return "MR=" + PackedGemm.MR + " NR=" + PackedGemm.NR + " KC=" + PackedGemm.KC + " NC=" + PackedGemm.NC
                    + ", " + chunks + " column chunk" + (chunks == 1 ? "" : "s") + (!pointwise ? ", implicit im2col" : strided ? ", input gathered into B panels" : ", input used as B");
        }
    }
}
