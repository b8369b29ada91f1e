package io.cnnc.compiler.target.gpu;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.ops.GpuCode;
import io.cnnc.compiler.plan.MemoryPlan;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.compiler.target.gpu.GpuPlan.Buffer;
import io.cnnc.compiler.target.gpu.GpuPlan.ConvChoice;
import io.cnnc.compiler.target.gpu.GpuPlan.Role;
import io.cnnc.compiler.target.gpu.GpuPlan.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the {@link GpuPlan} of a network from its {@link FrontHalf}: the graph after the inference
 * passes (fusion, BatchNorm folding) and its memory plan (one device buffer per slot, so values
 * whose lifetimes do not overlap share a buffer); then a strategy per convolution and a launch
 * list per layer. Shared by every device API; nothing here talks to a device.
 */
public final class GpuPlanner {

    private final Graph graph;
    private final Map<String, float[]> weights;
    private final int batch;
    private final Function<ConvGeometry, GpuConvChooser.Choice> chooser;
    private final List<Buffer> buffers = new ArrayList<>();
    private final Map<Integer, Integer> slotBuffer = new LinkedHashMap<>();
    private final List<Integer> inputBuffers = new ArrayList<>();
    private final MemoryPlan memory;

    private GpuPlanner(FrontHalf front, Map<String, float[]> weights, int batch, Function<ConvGeometry, GpuConvChooser.Choice> chooser) {
        this.graph = front.planar();
        this.memory = front.memory();
        this.weights = weights;
        this.batch = batch;
        this.chooser = chooser;
    }

    /** {@code weights} are the source graph's tensors by full name; convolutions by {@link GpuConvChooser}. */
    public static GpuPlan plan(Graph source, Map<String, float[]> weights, int batch) {
        return plan(source, weights, batch, GpuConvChooser::choose);
    }

    /** With {@code chooser} deciding every convolution's strategy (tests force each one). */
    public static GpuPlan plan(Graph source, Map<String, float[]> weights, int batch, Function<ConvGeometry, GpuConvChooser.Choice> chooser) {
        return plan(FrontHalf.of(source), weights, batch, chooser);
    }

    /** From a front half already computed (the passes and memory plan are not run again). */
    public static GpuPlan plan(FrontHalf front, Map<String, float[]> weights, int batch, Function<ConvGeometry, GpuConvChooser.Choice> chooser) {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        return new GpuPlanner(front, weights, batch, chooser).build();
    }

    private GpuPlan build() {
        for (Value v : graph.inputs()) inputBuffers.add(add("input " + v.label(), Role.INPUT, v.shape().size() * batch, null));
        List<Long> slots = memory.slotSizes();
        for (int s = 0; s < slots.size(); s++) slotBuffer.put(s, add("slot " + s, Role.ACTIVATION, slots.get(s) * batch, null));
        Map<Node, GpuConvChooser.Choice> choices = new LinkedHashMap<>();
        long[] workspace = {0, 0};
        for (Node n : graph.nodes()) {
            if (n.op() instanceof FusedConvOp f) {
                ConvGeometry g = f.conv().geometry(n.inputShapes().getFirst());
                GpuConvChooser.Choice c = chooser.apply(g);
                if (!c.strategy().supports(g)) {
                    throw new IllegalArgumentException(n.name() + ": strategy " + c.strategy().label() + " does not support " + g);
                }
                choices.put(n, c);
                long[] w = c.strategy().workspace(g, batch);
                workspace[0] = Math.max(workspace[0], w[0]);
                workspace[1] = Math.max(workspace[1], w[1]);
            }
        }
        // One scratch pair for the whole network: layers run one after another on one queue.
        int wsA = workspace[0] > 0 ? add("workspace A", Role.WORKSPACE, workspace[0], null) : Arg.NO_BUFFER;
        int wsB = workspace[1] > 0 ? add("workspace B", Role.WORKSPACE, workspace[1], null) : Arg.NO_BUFFER;
        List<Step> steps = new ArrayList<>();
        List<ConvChoice> convs = new ArrayList<>();
        for (Node n : graph.nodes()) {
            GpuConvChooser.Choice c = choices.get(n);
            if (c != null) convs.add(new ConvChoice(n.name(), n.op().type(), c.strategy(), c.reason()));
            for (Launch l : n.planarOp().gpu(new Code(n, c, wsA, wsB))) steps.add(new Step(n.name(), n.op().type(), l));
        }
        List<GpuPlan.Output> outputs = graph.outputs().stream().map(v -> new GpuPlan.Output(buffer(v), v.shape())).toList();
        return new GpuPlan(graph.name(), batch, buffers, steps, inputBuffers, outputs, convs, memory.unsharedBytes(batch) / Float.BYTES);
    }

    /** The plan's buffers for one node; {@code choice} is its convolution strategy, if it is one. */
    private final class Code implements GpuCode {

        private final Node node;
        private final GpuConvChooser.Choice choice;
        private final int wsA;
        private final int wsB;

        Code(Node node, GpuConvChooser.Choice choice, int wsA, int wsB) {
            this.node = node;
            this.choice = choice;
            this.wsA = wsA;
            this.wsB = wsB;
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
            return buffer(node.inputs().get(i));
        }

        @Override
        public int y() {
            return buffer(node.output());
        }

        @Override
        public float[] tensor(String name) {
            return GpuPlanner.this.tensor(name);
        }

        @Override
        public int upload(String label, float[] data) {
            return add(label, Role.WEIGHT, data);
        }

        @Override
        public GpuConvChooser.Choice convChoice() {
            if (choice == null) throw new IllegalStateException(node.name() + " is not a convolution");
            return choice;
        }

        @Override
        public int workspaceA() {
            return wsA;
        }

        @Override
        public int workspaceB() {
            return wsB;
        }
    }

    /** The buffer holding {@code v}: its memory-plan slot, or the input it is (a view of). */
    private int buffer(Value v) {
        int slot = memory.slot(v);
        if (slot >= 0) return slotBuffer.get(slot);
        Value root = v;
        while (root.producer() != null) root = root.producer().inputs().getFirst();
        int index = graph.inputs().indexOf(root);
        if (index < 0) throw new IllegalStateException("value " + v + " has neither a slot nor an input");
        return inputBuffers.get(index);
    }

    private float[] tensor(String name) {
        float[] w = weights.get(name);
        if (w == null) throw new IllegalArgumentException("no weight tensor '" + name + "'");
        return w;
    }

    private int add(String name, Role role, float[] data) {
        return add(name, role, data.length, data);
    }

    private int add(String name, Role role, long floats, float[] data) {
        int id = buffers.size();
        buffers.add(new Buffer(id, name, role, floats, data));
        return id;
    }
}
