package io.cnnc.compiler.target.gpu;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.ConvOp;
import io.cnnc.compiler.ops.GpuTrainable;
import io.cnnc.compiler.ops.GpuTrainingCode;
import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.compiler.target.gpu.GpuPlan.Buffer;
import io.cnnc.compiler.target.gpu.GpuPlan.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link GpuTrainingPlan} of a {@link TrainingPlan} (unfused: BatchNorm needs batch
 * statistics while training). Every value keeps its own buffer, as the backward pass reads them;
 * a value's gradient buffer is overwritten by the first layer that propagates into it and added
 * to by the rest (the beta of the kernels), in the training plan's backward order. Convolutions use the
 * strategy the inference rules pick, except Winograd, whose weights are transformed once on
 * the host and would go stale as the weights move: those use the tiled GEMM.
 */
public final class GpuTrainingPlanner {

    private final TrainingPlan training;
    private final Graph graph;
    private final Map<String, float[]> params;
    private final int batch;
    private final double labelSmoothing;
    private final List<Buffer> buffers = new ArrayList<>();
    private final Map<Value, Integer> values = new HashMap<>();
    private final Map<Value, Integer> gradients = new HashMap<>();
    private final Set<Value> written = new HashSet<>();
    private final Map<String, Integer> paramBuffers = new LinkedHashMap<>();
    private final Map<String, Integer> gradBuffers = new LinkedHashMap<>();
    private final Map<String, int[]> stateBuffers = new LinkedHashMap<>();
    private final Map<Node, int[]> saved = new HashMap<>();
    private final List<GpuTrainingPlan.DropoutMask> masks = new ArrayList<>();
    private int partials = Arg.NO_BUFFER;

    private GpuTrainingPlanner(TrainingPlan training, Map<String, float[]> params, int batch, double labelSmoothing) {
        this.training = training;
        this.graph = training.graph();
        this.params = params;
        this.batch = batch;
        this.labelSmoothing = labelSmoothing;
    }

    /**
     * The device plan of {@code training}, the same training plan the CPU trainer runs: its
     * backward steps, each computing only the input gradients the plan asks for, gradients of the
     * tensors it updates and its update rule's state buffers. {@code labelSmoothing} as PyTorch's
     * cross-entropy. Throws UnsupportedOperationException naming layers it cannot train.
     */
    public static GpuTrainingPlan plan(TrainingPlan training, Map<String, float[]> params, int batch, double labelSmoothing) {
        Graph graph = training.graph();
        if (training.rule() == null) throw new IllegalArgumentException("a device plan needs the training plan's update rule");
        TrainingPlan.requireTrainable(graph);
        Shape out = graph.outputs().getFirst().shape();
        if (!out.isVector()) throw new IllegalArgumentException("training needs class logits [K, 1, 1] as the output, got " + out);
        List<String> unsupported = graph.nodes().stream().filter(n -> !(n.op() instanceof GpuTrainable))
                .map(n -> n.name() + " (" + n.op().type() + ")").toList();
        if (!unsupported.isEmpty()) {
            throw new UnsupportedOperationException("training on the GPU does not support yet: " + String.join(", ", unsupported));
        }
        return new GpuTrainingPlanner(training, params, batch, labelSmoothing).build();
    }

    private GpuTrainingPlan build() {
        Set<String> updated = new HashSet<>();
        for (Graph.NamedParam p : training.updated()) updated.add(p.name());
        List<String> slots = training.rule().slots();
        for (Graph.NamedParam p : graph.parameters()) {
            float[] t = params.get(p.name());
            if (t == null) throw new IllegalArgumentException("no weight tensor '" + p.name() + "'");
            paramBuffers.put(p.name(), add(p.name(), Role.WEIGHT, t.length, t));
            if (updated.contains(p.name())) {
                gradBuffers.put(p.name(), add("grad " + p.name(), Role.WORKSPACE, t.length, null));
                int[] state = new int[slots.size()];
                for (int i = 0; i < state.length; i++) state[i] = add(slots.get(i) + " " + p.name(), Role.WORKSPACE, t.length, null);
                stateBuffers.put(p.name(), state);
            }
        }
        // One scratch buffer for every convolution's split weight-gradient sums: layers run one after another.
        long scratch = graph.nodes().stream().filter(n -> n.op() instanceof ConvOp)
                .mapToLong(n -> TrainingLaunches.weightGradientWorkspace(((ConvOp) n.op()).geometry(n.inputShapes().getFirst()), batch))
                .max().orElse(0);
        if (scratch > 0) partials = add("weight gradient partial sums", Role.WORKSPACE, scratch, null);
        Value in = graph.inputs().getFirst();
        int input = add("input", Role.INPUT, in.shape().size() * batch, null);
        values.put(in, input);
        List<Launch> forward = new ArrayList<>();
        for (Node n : graph.nodes()) {
            values.put(n.output(), add(n.name(), Role.ACTIVATION, n.output().shape().size() * batch, null));
            forward.addAll(forward(n));
        }
        Value out = graph.outputs().getFirst();
        int classes = out.shape().c();
        int labels = add("labels", Role.INPUT, batch, null);
        int stats = add("loss and hits per sample", Role.WORKSPACE, 2L * batch, null);
        int dlogits = gradient(out);
        written.add(out);
        forward.add(TrainingLaunches.softmaxCrossEntropy(values.get(out), labels, dlogits, stats, batch, classes, (float) labelSmoothing));
        List<Launch> backward = new ArrayList<>();
        for (TrainingPlan.Backward b : training.backward()) backward.addAll(backward(b));
        return new GpuTrainingPlan(graph.name(), batch, classes, buffers, forward, backward, paramBuffers, gradBuffers, stateBuffers,
                input, labels, values.get(out), stats, masks);
    }

    private List<Launch> forward(Node n) {
        return ((GpuTrainable) n.op()).gpuForward(new Code(n, Arg.NO_BUFFER, null));
    }

    private List<Launch> backward(TrainingPlan.Backward b) {
        Node n = b.node();
        int dy = gradient(n.output());
        List<Launch> out = new ArrayList<>();
        ((GpuTrainable) n.op()).gpuBackward(new Code(n, dy, b), out);
        return out;
    }

    /** The plan's buffers for one node; {@code dy} is its output's gradient and {@code step} its training-plan step, in the backward pass. */
    private final class Code implements GpuTrainingCode {

        private final Node node;
        private final int dy;
        private final TrainingPlan.Backward step;

        Code(Node node, int dy, TrainingPlan.Backward step) {
            this.node = node;
            this.dy = dy;
            this.step = step;
        }

        @Override
        public Node node() {
            return node;
        }

        @Override
        public int batch() {
            return batch;
        }

        @Override
        public int input(int i) {
            return values.get(node.inputs().get(i));
        }

        @Override
        public int y() {
            return values.get(node.output());
        }

        @Override
        public int param(String suffix) {
            return GpuTrainingPlanner.this.param(node, suffix);
        }

        @Override
        public int grad(String suffix) {
            if (frozen()) throw new IllegalStateException(node.name() + " is frozen: it has no parameter gradients");
            return gradBuffers.get(node.name() + "." + suffix);
        }

        @Override
        public int workspace(String label, long floats) {
            return add(label, Role.WORKSPACE, floats, null);
        }

        @Override
        public boolean frozen() {
            return training.frozen(node);
        }

        @Override
        public float[] tensor(String name) {
            float[] t = params.get(name);
            if (t == null) throw new IllegalArgumentException("no weight tensor '" + name + "'");
            return t;
        }

        @Override
        public int constant(String label, float[] data) {
            return add(label, Role.WEIGHT, data.length, data.clone());
        }

        @Override
        public int dropoutMask(long count, double p) {
            int mask = add(node.name() + " mask", Role.INPUT, count, null);
            masks.add(new GpuTrainingPlan.DropoutMask(mask, Math.toIntExact(count), p));
            return mask;
        }

        @Override
        public void save(int... buffers) {
            saved.put(node, buffers);
        }

        @Override
        public int[] saved() {
            return saved.get(node);
        }

        @Override
        public int dy() {
            return dy;
        }

        @Override
        public int partials() {
            return partials;
        }

        @Override
        public boolean needsDx(int i) {
            return step.inputGradient(i);
        }

        @Override
        public int dx(int i) {
            return gradient(node.inputs().get(i));
        }

        @Override
        public float beta(int i) {
            return GpuTrainingPlanner.this.beta(node.inputs().get(i));
        }
    }

    /** 0 for the first gradient reaching {@code v}, 1 for the rest; marks it reached. */
    private float beta(Value v) {
        return written.add(v) ? 0f : 1f;
    }

    private int gradient(Value v) {
        return gradients.computeIfAbsent(v, k -> add("d " + (k.producer() == null ? "input" : k.producer().name()), Role.WORKSPACE,
                k.shape().size() * batch, null));
    }

    private int param(Node n, String suffix) {
        Integer id = paramBuffers.get(n.name() + "." + suffix);
        if (id == null) throw new IllegalArgumentException("no weight tensor '" + n.name() + "." + suffix + "'");
        return id;
    }

    private int add(String name, Role role, long floats, float[] data) {
        int id = buffers.size();
        buffers.add(new Buffer(id, name, role, floats, data));
        return id;
    }
}
