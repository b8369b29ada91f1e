package io.cnnc.kernels.cpu.train;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.backward.ConvOutputGradient;
import io.cnnc.kernels.cpu.Im2colConv;
import io.cnnc.kernels.cpu.Parallel;
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

    /**
     * {@code data} and {@code dataGeometry} where the data gradient is a stride-1 convolution,
     * {@code phases} and {@code phaseRuns} where it runs by phases; both null where it runs on
     * im2col-col2im or is not needed; {@code depthwiseData} for a strided depthwise layer's.
     */
    public TrainingConv(Run forward, Run data, ConvGeometry dataGeometry, WeightGradientForm weight, List<PhaseDataGradient.Phase> phases,
                        List<Run> phaseRuns, boolean depthwiseData, Slices slices) {
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
        run(forward, g, weight, Epilogue.of(bias, false, relu ? ActivationKind.RELU : null, 0), x, y, batch, slices, forwardKernels);
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
        ConvOutputGradient.maskAndSumBias(dy, reluOutput, db, batch, g.outC(), g.outH() * g.outW());
        if (dw != null) weightForm.accumulate(x, dy, batch, g, dw);
        boolean ownPath = asConvolution || byPhases || depthwise;
        if (dx != null && !ownPath) Im2colConv.backward(x, dy, batch, g, weight, dx, null, null);
        long start = System.nanoTime();
        if (asConvolution) {
            run(data, dataGeometry, DataGradientConv.filter(g, weight), Epilogue.none(), dy, dx, batch, slices, dataKernels);
        }
        if (byPhases) phases(g, dy, weight, dx, batch);
        if (depthwise) DepthwiseDataGradient.compute(dy, weight, batch, g, dx);
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
                run(phaseRuns.get(i), p.geometry(), PhaseDataGradient.filter(g, p, weight), Epilogue.none(), dy, out, batch, slices,
                        phaseKernels[i]);
            }
            PhaseDataGradient.scatter(g, p, out, dx, batch);
        }
    }

    /**
     * {@code out = conv(in)} for {@code batch} samples, in contiguous slices of the batch, one per
     * thread. A planar kernel runs its slice in place where it can ({@link ConvKernel#forwardSamples}),
     * else the first slice in place and the others through copies; a blocked one (NCHW16c) reads and
     * writes every slice through blocked copies, the reorders taking the place of the copies. The
     * copies' arrays are kept from call to call: at megabytes each, new ones were G1 humongous
     * allocations, and the collection cycles they set off took a core from the kernels in some runs.
     */
    private static void run(Run run, ConvGeometry g, float[] weight, Epilogue epilogue, float[] in, float[] out, int batch, Slices slices,
                            Kernels kept) {
        int parts = Math.min(run.threads(), batch);
        ConvStrategy strategy = ConvStrategies.byName(run.strategy());
        ConvKernel[] kernels = kept.fit(parts, epilogue);
        // From the geometry, not the arrays: a caller's input may be longer than its batch (the last, partial one).
        int inSpatial = g.inH() * g.inW();
        int outSpatial = g.outH() * g.outW();
        int inSize = g.inC() * inSpatial;
        int outSize = g.outC() * outSpatial;
        boolean blockedIn = strategy.blocked() && Nchwc.blocks(g.inC());
        slices.fit(parts, (batch + parts - 1) / parts * inSize, (batch + parts - 1) / parts * outSize);
        Parallel.of(parts).forRange(parts, p -> {
            if (kernels[p] == null || !kernels[p].replaceWeights(weight)) kernels[p] = strategy.prepare(g, weight, epilogue, Parallel.serial());
            int from = batch * p / parts;
            int n = batch * (p + 1) / parts - from;
            float[] slice = slices.in[p];
            float[] result = slices.out[p];
            if (strategy.blocked()) {
                if (blockedIn) Nchwc.toBlocked(in, from * inSize, slice, n, g.inC(), inSpatial, Parallel.serial());
                else System.arraycopy(in, from * inSize, slice, 0, n * inSize);
                kernels[p].forward(slice, null, result, n);
                Nchwc.toPlanar(result, out, from * outSize, n, g.outC(), outSpatial, Parallel.serial());
            } else if (kernels[p].forwardSamples(in, null, out, from, n)) {
                return;
            } else if (from == 0) {
                kernels[p].forward(in, null, out, n);
            } else {
                System.arraycopy(in, from * inSize, slice, 0, n * inSize);
                kernels[p].forward(slice, null, result, n);
                System.arraycopy(result, 0, out, from * outSize, n * outSize);
            }
        });
    }

    /**
     * One direction's kernels, one per thread, kept from step to step and given each step's
     * weights ({@link ConvKernel#replaceWeights}): prepared anew at every call, a Winograd
     * kernel spent 0.7 ms transforming into new arrays and re-timed its ways each time.
     */
    private static final class Kernels {
        private ConvKernel[] kernels = new ConvKernel[0];
        private Epilogue epilogue;

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
