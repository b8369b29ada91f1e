package io.cnnc.kernels.cpu.train;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.backward.ConvOutputGradient;
import io.cnnc.kernels.cpu.Im2colConv;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.Workers;
import io.cnnc.kernels.cpu.conv.ConvKernel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.DataGradientConv;
import io.cnnc.kernels.cpu.conv.DepthwiseDataGradient;
import io.cnnc.kernels.cpu.conv.Epilogue;
import io.cnnc.kernels.cpu.conv.PhaseDataGradient;
import io.cnnc.kernels.cpu.conv.WeightGradientForm;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.List;

/**
 * Runs one conv layer's training convolutions on the strategies the training plan chose: the forward, and
 * the data gradient as a convolution of dy with the flipped, transposed filter; the weight
 * gradient in the form the plan chose; a strided conv's data gradient on im2col and GEMM. The
 * batch is split across the threads, each running a kernel of its own on one thread: the kernels share a single
 * sample's work out, which a small layer has too little of. Kernels are kept from step to
 * step and given the new weights.
 */
public final class TrainingConv implements ConvRunner {

    /** A convolution's strategy (by {@link ConvStrategies} name) and the threads the batch is split over. */
    public record Run(String strategy, int threads) {}

    /**
     * Whether the step keeps the layer's input and its output (and their gradients) NCHWc
     * ({@link Nchwc}) rather than NCHW. A kernel whose own layout differs reads and writes
     * through reorders; one that matches runs on the tensors in place.
     */
    public record Layouts(boolean input, boolean output) {
        public static final Layouts PLANAR = new Layouts(false, false);
    }

    private final Run forward;
    /** The data gradient as one stride-1 convolution, or null. */
    private final Run data;
    private final ConvGeometry dataGeometry;
    private final WeightGradientForm weightForm;
    /** The data gradient by phases (PhaseDataGradient), or null; a phase no tap reaches has a null run. */
    private final List<PhaseDataGradient.Phase> phases;
    private final List<Run> phaseRuns;
    /** The data gradient straight into a depthwise layer's stride phases ({@link DepthwiseDataGradient}). */
    private final boolean depthwiseData;
    private final Kernels forwardKernels = new Kernels();
    private final Kernels dataKernels = new Kernels();
    private Kernels[] phaseKernels = new Kernels[0];
    /** Shared by a trainer's runners, which run one at a time: per runner they came to 300 MB for ResNet-20 at batch 128. */
    private final Slices slices;
    private final Layouts layouts;

    /** As below, with NCHW tensors. */
    public TrainingConv(Run forward, Run data, ConvGeometry dataGeometry, WeightGradientForm weight, List<PhaseDataGradient.Phase> phases,
                        List<Run> phaseRuns, boolean depthwiseData, Slices slices) {
        this(forward, data, dataGeometry, weight, phases, phaseRuns, depthwiseData, slices, Layouts.PLANAR);
    }

    /**
     * {@code data} and {@code dataGeometry} where the data gradient is a stride-1 convolution,
     * {@code phases} and {@code phaseRuns} where it runs by phases; both null where it runs on
     * im2col-col2im or is not needed; {@code depthwiseData} for a strided depthwise layer's.
     */
    public TrainingConv(Run forward, Run data, ConvGeometry dataGeometry, WeightGradientForm weight, List<PhaseDataGradient.Phase> phases,
                        List<Run> phaseRuns, boolean depthwiseData, Slices slices, Layouts layouts) {
        this.layouts = layouts;
        this.depthwiseData = depthwiseData;
        this.forward = forward;
        this.data = data;
        this.dataGeometry = dataGeometry;
        this.weightForm = weight;
        this.phases = phases;
        this.phaseRuns = phaseRuns;
        this.slices = slices;
    }

    /** Nanoseconds spent in the forward and in the data gradient since construction, for the training tuner. */
    private long forwardNanos;
    private long dataNanos;

    @Override
    public void forward(ConvGeometry g, float[] x, float[] weight, float[] bias, float[] y, int batch, boolean relu) {
        long start = System.nanoTime();
        run(forward, g, weight, Epilogue.of(bias, false, relu ? ActivationKind.RELU : null, 0), x, layouts.input(), y, layouts.output(), batch,
                slices, forwardKernels);
        forwardNanos += System.nanoTime() - start;
    }

    /** {forward, data gradient} nanoseconds so far. */
    public long[] nanos() {
        return new long[] {forwardNanos, dataNanos};
    }

    @Override
    public void backward(ConvGeometry g, float[] x, float[] dy, float[] weight, float[] dx, float[] dw, float[] db, int batch,
                         float[] reluOutput) {
        boolean asConvolution = dx != null && data != null;
        boolean byPhases = dx != null && phases != null;
        boolean depthwise = dx != null && depthwiseData;
        int inSpatial = g.inH() * g.inW();
        int outSpatial = g.outH() * g.outW();
        ConvOutputGradient.maskAndSumBias(dy, reluOutput, db, batch, g.outC(), outSpatial, layouts.output());
        boolean ownPath = asConvolution || byPhases || depthwise;
        // The paths on NCHW only read planar copies of blocked tensors, and write dx through one.
        boolean planarWeights = dw != null && !weightForm.readsBlocked();
        boolean planarX = planarWeights || dx != null && !ownPath;
        float[] xs = x;
        float[] planarDy = dy;
        if (planarX && layouts.input()) xs = slices.planar(0, x, batch, g.inC(), inSpatial);
        if ((planarWeights || dx != null && !asConvolution) && layouts.output()) planarDy = slices.planar(1, dy, batch, g.outC(), outSpatial);
        if (planarWeights) weightForm.accumulate(xs, planarDy, batch, g, dw);
        else if (dw != null) weightForm.accumulate(x, layouts.input(), dy, layouts.output(), batch, g, dw);
        float[] planarDx = dx != null && !asConvolution && layouts.input() ? slices.planarOut(batch * g.inC() * inSpatial) : dx;
        if (dx != null && !ownPath) Im2colConv.backward(xs, planarDy, batch, g, weight, planarDx, null, null);
        long start = System.nanoTime();
        if (asConvolution) {
            run(data, dataGeometry, DataGradientConv.filter(g, weight), Epilogue.none(), dy, layouts.output(), dx, layouts.input(), batch, slices,
                    dataKernels);
        }
        if (byPhases) phases(g, planarDy, weight, planarDx, batch);
        if (depthwise) DepthwiseDataGradient.compute(planarDy, weight, batch, g, planarDx);
        if (planarDx != dx) Nchwc.toBlocked(planarDx, 0, dx, 0, batch, g.inC(), inSpatial, Workers.team());
        dataNanos += System.nanoTime() - start;
    }

    /** dx as one stride-1 convolution of dy per phase, each interleaved into its positions (PhaseDataGradient). */
    private void phases(ConvGeometry g, float[] dy, float[] weight, float[] dx, int batch) {
        if (phaseKernels.length != phases.size()) {
            phaseKernels = new Kernels[phases.size()];
            for (int i = 0; i < phaseKernels.length; i++) phaseKernels[i] = new Kernels();
        }
        for (int i = 0; i < phases.size(); i++) {
            PhaseDataGradient.Phase p = phases.get(i);
            float[] out = null;
            if (p.geometry() != null) {
                out = slices.phase(batch * g.inC() * p.outH() * p.outW());
                run(phaseRuns.get(i), p.geometry(), PhaseDataGradient.filter(g, p, weight), Epilogue.none(), dy, false, out, false, batch,
                        slices, phaseKernels[i]);
            }
            PhaseDataGradient.scatter(g, p, out, dx, batch);
        }
    }

    /**
     * {@code out = conv(in)} for {@code batch} samples, {@code in} and {@code out} NCHWc where
     * {@code inBlocked} and {@code outBlocked}. A blocked kernel on tensors in its own layout runs
     * once over the whole batch on the run's threads, sharing out samples and channel groups.
     * Otherwise the batch goes in contiguous slices, one per thread, each on a kernel of its own on
     * one thread: a planar kernel runs its slice in place where it can
     * ({@link ConvKernel#forwardSamples}), else the first slice in place and the others through
     * copies; where the tensor's layout and the kernel's differ, reorders take the place of the
     * copies. The copies' arrays are kept from call to call: at megabytes each, new ones were G1
     * humongous allocations, and the collection cycles they set off took a core from the kernels
     * in some runs.
     */
    private static void run(Run run, ConvGeometry g, float[] weight, Epilogue epilogue, float[] in, boolean inBlocked, float[] out,
                            boolean outBlocked, int batch, Slices slices, Kernels kept) {
        ConvStrategy strategy = ConvStrategies.byName(run.strategy());
        boolean kernelIn = strategy.blocked() && Nchwc.blocks(g.inC());
        boolean kernelOut = strategy.blocked();
        if (strategy.blocked() && kernelIn == inBlocked && outBlocked) {
            ConvKernel whole = kept.whole(epilogue);
            if (whole == null || !whole.replaceWeights(weight)) whole = kept.keep(strategy.prepare(g, weight, epilogue, Parallel.of(run.threads())), epilogue);
            whole.forward(in, null, out, batch);
            return;
        }
        int parts = Math.min(run.threads(), batch);
        ConvKernel[] kernels = kept.fit(parts, epilogue);
        // From the geometry, not the arrays: a caller's input may be longer than its batch (the last, partial one).
        int inSpatial = g.inH() * g.inW();
        int outSpatial = g.outH() * g.outW();
        int inSize = g.inC() * inSpatial;
        int outSize = g.outC() * outSpatial;
        boolean planar = !strategy.blocked() && !inBlocked && !outBlocked;
        slices.fit(parts, (batch + parts - 1) / parts * inSize, (batch + parts - 1) / parts * outSize);
        Parallel.of(parts).forRange(parts, p -> {
            if (kernels[p] == null || !kernels[p].replaceWeights(weight)) kernels[p] = strategy.prepare(g, weight, epilogue, Parallel.serial());
            int from = batch * p / parts;
            int n = batch * (p + 1) / parts - from;
            if (planar && kernels[p].forwardSamples(in, null, out, from, n)) return;
            float[] source = in;
            if (from != 0 || kernelIn != inBlocked) {
                source = slices.in[p];
                convert(in, from * inSize, inBlocked, source, 0, kernelIn, n, g.inC(), inSpatial);
            }
            boolean direct = from == 0 && kernelOut == outBlocked;
            float[] result = direct ? out : slices.out[p];
            kernels[p].forward(source, null, result, n);
            if (!direct) convert(result, 0, kernelOut, out, from * outSize, outBlocked, n, g.outC(), outSpatial);
        });
    }

    /** {@code n} samples from {@code a[from]} to {@code b[to]}, reordered where one is blocked and the other not, on this thread. */
    private static void convert(float[] a, int from, boolean aBlocked, float[] b, int to, boolean bBlocked, int n, int channels, int spatial) {
        if (aBlocked == bBlocked) System.arraycopy(a, from, b, to, n * channels * spatial);
        else if (bBlocked) Nchwc.toBlocked(a, from, b, to, n, channels, spatial, Parallel.serial());
        else Nchwc.toPlanar(a, from, b, to, n, channels, spatial, Parallel.serial());
    }

    /**
     * One direction's kernels, one per thread, kept from step to step and given each step's
     * weights ({@link ConvKernel#replaceWeights}): prepared anew at every call, a Winograd
     * kernel spent 0.7 ms transforming into new arrays and re-timed its ways each time.
     */
    private static final class Kernels {
        private ConvKernel[] kernels = new ConvKernel[0];
        private Epilogue epilogue;
        /** The kernel over the whole batch on every thread, for a blocked kernel on blocked tensors. */
        private ConvKernel whole;
        private Epilogue wholeEpilogue;

        /** The kept whole-batch kernel, or null where there is none for {@code wanted}. */
        ConvKernel whole(Epilogue wanted) {
            return wanted.equals(wholeEpilogue) ? whole : null;
        }

        /** Keeps {@code kernel}, prepared with {@code epilogue}, as the whole-batch one. */
        ConvKernel keep(ConvKernel kernel, Epilogue epilogue) {
            whole = kernel;
            wholeEpilogue = epilogue;
            return kernel;
        }

        /** The kept kernels for {@code parts} threads; none where the epilogue changed (another bias array). */
        ConvKernel[] fit(int parts, Epilogue wanted) {
            if (kernels.length < parts || !wanted.equals(epilogue)) kernels = new ConvKernel[Math.max(parts, kernels.length)];
            epilogue = wanted;
            return kernels;
        }
    }

    /** The copies of the batch's slices, per thread, and a phase's output, grown as needed. */
    public static final class Slices {
        float[][] in = new float[0][];
        float[][] out = new float[0][];
        private float[] phase = new float[0];
        /** NCHW copies of blocked tensors for the paths that read NCHW only: x and dy, and dx before it is blocked. */
        private final float[][] planar = {new float[0], new float[0]};
        private float[] planarOut = new float[0];

        /** NCHW copy {@code k} (0: x, 1: dy) of the blocked {@code a}. */
        float[] planar(int k, float[] a, int batch, int channels, int spatial) {
            int floats = batch * channels * spatial;
            if (planar[k].length < floats) planar[k] = new float[floats];
            Nchwc.toPlanar(a, 0, planar[k], 0, batch, channels, spatial, Workers.team());
            return planar[k];
        }

        /** An array of at least {@code floats} for an NCHW dx that is blocked once written. */
        float[] planarOut(int floats) {
            if (planarOut.length < floats) planarOut = new float[floats];
            return planarOut;
        }

        /** An array of at least {@code floats} for one phase's output, read before the next phase runs. */
        float[] phase(int floats) {
            if (phase.length < floats) phase = new float[floats];
            return phase;
        }

        void fit(int parts, int inFloats, int outFloats) {
            if (in.length < parts) {
                in = java.util.Arrays.copyOf(in, parts);
                out = java.util.Arrays.copyOf(out, parts);
            }
            for (int p = 0; p < parts; p++) {
                if (in[p] == null || in[p].length < inFloats) in[p] = new float[inFloats];
                if (out[p] == null || out[p].length < outFloats) out[p] = new float[outFloats];
            }
        }
    }
}
