package io.cnnc.runtime.train;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.Eval;
import io.cnnc.compiler.ops.Gradient;
import io.cnnc.compiler.ops.TrainingStep;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.train.TrainingConvStrategies;
import io.cnnc.compiler.train.TrainingLayouts;
import io.cnnc.compiler.train.TrainingMemoryPlan;
import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.kernels.cpu.FastElementwise;
import io.cnnc.kernels.cpu.Workers;
import io.cnnc.kernels.cpu.train.BufferPool;
import io.cnnc.kernels.cpu.train.ConvRunner;
import io.cnnc.kernels.cpu.train.Dropout;
import io.cnnc.kernels.cpu.train.TrainingConv;
import io.cnnc.runtime.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Forward and backward passes of a graph for training: batch norm uses batch statistics and
 * updates its running ones, dropout drops; activations are kept for the backward pass, which
 * runs the {@link TrainingPlan}'s steps and adds parameter gradients into {@link #gradients()}.
 */
public final class GraphTrainer implements TrainingEngine {

    /**
     * How the nodes run: {@code COMPILED} on the strategies the training plan chose for each
     * convolution (TrainingConvStrategies), {@code REFERENCE} on im2col and GEMM, the oracle the
     * compiled engine is checked against.
     */
    public enum Engine { COMPILED, REFERENCE }

    private final Graph graph;
    private final Map<String, Tensor> params;
    private final Map<String, float[]> grads;
    private final Map<Value, float[]> values = new HashMap<>();
    private final Map<Node, float[][]> saved = new HashMap<>();
    /**
     * Activation and gradient arrays come from one pool and go back to it as the memory plan
     * says: a training batch's activations are megabytes each, and fresh ones cost the JVM's
     * zeroing, the kernel's page faults and the collector's work on every step. The graph's
     * outputs have arrays of their own, which the caller reads after the step.
     */
    private final BufferPool pool = new BufferPool();
    private final Map<Node, float[]> held = new HashMap<>();
    private final Map<Node, float[]> outputBuffers = new HashMap<>();
    private final TrainingMemoryPlan memory;
    /** Nanoseconds spent per op type and direction ("forward conv"), since construction. */
    private final Map<String, long[]> nanos = new java.util.TreeMap<>();
    private boolean poison;
    private boolean keepOutputs;
    private int pooledBatch = -1;
    private final long seed;
    private SplittableRandom random;
    private final TrainingPlan plan;
    private final Map<Node, ConvRunner> convs = new HashMap<>();
    private int batch;
    private boolean training;

    /** The reference engine (im2col and GEMM for every convolution). */
    public GraphTrainer(Graph graph, Map<String, Tensor> params, long seed, java.util.Set<String> frozenNodes) {
        this(graph, params, seed, frozenNodes, Engine.REFERENCE, 1);
    }

    /** {@code threads}: the cores the compiled engine's strategies are chosen for. */
    public GraphTrainer(Graph graph, Map<String, Tensor> params, long seed, java.util.Set<String> frozenNodes, Engine engine, int threads) {
        this(graph, params, seed, frozenNodes, engine, threads, name -> true);
    }

    /** {@code strategies}: which conv strategies the compiled engine may choose from (by name). */
    public GraphTrainer(Graph graph, Map<String, Tensor> params, long seed, java.util.Set<String> frozenNodes, Engine engine, int threads,
                        java.util.function.Predicate<String> strategies) {
        this(graph, params, seed, TrainingPlan.derive(graph, frozenNodes), engine, threads, strategies);
    }

    /**
     * The reference engine on {@link TrainingPlan#towardsInput}: every layer as it evaluates, the
     * gradient taken to the input ({@link #inputGradient}); forward with {@code training} false
     * after {@link #keepOutputs}.
     */
    public static GraphTrainer towardsInput(Graph graph, Map<String, Tensor> params) {
        GraphTrainer t = new GraphTrainer(graph, params, 0, TrainingPlan.towardsInput(graph), Engine.REFERENCE, 1, name -> true);
        t.keepOutputs();
        return t;
    }

    private GraphTrainer(Graph graph, Map<String, Tensor> params, long seed, TrainingPlan plan, Engine engine, int threads,
                         java.util.function.Predicate<String> strategies) {
        TrainingPlan.requireTrainable(graph);
        this.graph = graph;
        this.params = params;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.plan = plan;
        this.memory = TrainingMemoryPlan.of(plan);
        this.grads = plan.newGradients();
        // The interpreter keeps every tensor NCHW.
        if (engine == Engine.COMPILED) use(TrainingConvStrategies.choose(plan, Machine.detect(), threads, strategies, TrainingLayouts.planar()));
    }

    /** The compiled engine on the strategies {@code chosen} per conv node (the training tuner's, or the cost model's). */
    public GraphTrainer(Graph graph, Map<String, Tensor> params, long seed, java.util.Set<String> frozenNodes,
                        Map<Node, TrainingConvStrategies.Directions> chosen) {
        this(graph, params, seed, frozenNodes, Engine.REFERENCE, 1);
        use(chosen);
    }

    private void use(Map<Node, TrainingConvStrategies.Directions> chosen) {
        TrainingConv.Slices slices = new TrainingConv.Slices();
        convs.clear();
        chosen.forEach((n, d) -> convs.put(n, d.runner(slices)));
    }

    /** Per conv node of the compiled engine, {forward, data gradient} nanoseconds spent so far. */
    public Map<Node, long[]> convNanos() {
        Map<Node, long[]> out = new HashMap<>();
        convs.forEach((n, r) -> {
            if (r instanceof TrainingConv s) out.put(n, s.nanos());
        });
        return out;
    }

    @Override
    public int sampleSize() {
        return Math.toIntExact(graph.inputs().getFirst().shape().size());
    }

    @Override
    public Map<String, float[]> gradients() {
        return grads;
    }

    @Override
    public void startEpoch(int epoch) {
        random = Dropout.epochStream(seed, epoch);
    }

    @Override
    public void zeroGradients() {
        for (float[] g : grads.values()) java.util.Arrays.fill(g, 0f);
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        this.batch = batch;
        this.training = training;
        values.clear();
        saved.clear();
        for (float[] a : held.values()) pool.give(a);
        held.clear();
        // Another batch size (evaluation's, an epoch's last partial batch): the arrays sized for the last one would only sit in the pool.
        if (batch != pooledBatch) pool.clear();
        pooledBatch = batch;
        values.put(graph.inputs().getFirst(), x);
        for (Node n : graph.nodes()) {
            Node into = plan.absorbedBy(n);
            if (into != null) {
                // The node before computed this ReLU into its own output.
                values.put(n.output(), values.get(into.output()));
                continue;
            }
            float[] y = take(n);
            forward(n, y);
            values.put(n.output(), y);
            if (training) {
                for (Node s : memory.freedAfterForward(n)) release(s);
            } else if (!keepOutputs) {
                // Evaluating has no backward: every array goes once its last reader has run.
                for (Node s : memory.lastReadInForward(n)) release(s);
            }
        }
        return values.get(graph.outputs().getFirst());
    }

    /** An array for storage {@code n}'s output: its own for a graph output, else one from the pool. */
    private float[] take(Node n) {
        int length = Math.toIntExact(batch * n.output().shape().size());
        boolean overwrites = n.sourceOp().overwrites();
        if (graph.outputs().contains(n.output())) {
            float[] y = BufferPool.prepared(outputBuffers.get(n) != null && outputBuffers.get(n).length == length
                    ? outputBuffers.get(n) : new float[length], overwrites, poison);
            outputBuffers.put(n, y);
            return y;
        }
        float[] y = pool.take(length, overwrites, poison);
        held.put(n, y);
        return y;
    }

    /** Gives storage {@code s}'s array back; the values it held (its own, a folded ReLU's) read as null from now on. */
    private void release(Node s) {
        float[] a = held.remove(s);
        if (a == null) return;
        values.values().removeIf(v -> v == a);
        if (poison) java.util.Arrays.fill(a, Float.NaN);
        pool.give(a);
    }

    private void forward(Node n, float[] y) {
        long start = System.nanoTime();
        TrainingStep step = new TrainingStep(training, plan.frozen(n), random, arrays -> saved.put(n, arrays), conv(n), plan.absorbsRelu(n),
                plan.reluCeiling(n));
        n.sourceOp().trainingForward(eval(n, y), step);
        nanos.computeIfAbsent("forward " + n.op().type(), k -> new long[1])[0] += System.nanoTime() - start;
    }

    /** Time spent so far per direction and op type ({@code "backward conv"}), in nanoseconds: where a step goes. */
    public Map<String, Long> timeByOp() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        nanos.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

    private Eval eval(Node n, float[] y) {
        return new Eval(n, batch, n.inputs().stream().map(values::get).toList(), y, this::param);
    }

    /** Keeps every node's output after an evaluating forward pass, for {@link #outputOf} (cnnc visualize). */
    public void keepOutputs() {
        keepOutputs = true;
    }

    /** A node's output from the last forward pass ([batch, C, H, W] flattened); in evaluation only after {@link #keepOutputs}. */
    public float[] outputOf(Node node) {
        return values.get(node.output());
    }

    /** The gradient of the last backward pass with respect to the network's input, where the plan takes it there ({@link #towardsInput}). */
    public float[] inputGradient() {
        return inputGradient;
    }

    private float[] inputGradient;
    private Node watched;
    private float[] watchedGradient;

    /** Keeps, from each later backward pass, the gradient with respect to {@code node}'s output ({@link #watchedGradient}). */
    public void watch(Node node) {
        watched = node;
    }

    /** The last backward pass's gradient with respect to the watched node's output, or null. */
    public float[] watchedGradient() {
        return watchedGradient;
    }

    @Override
    public void backward(float[] dOutput) {
        backward(graph.outputs().getFirst(), dOutput);
    }

    /**
     * The backward pass from {@code node}'s output with gradient {@code dy} there, as if the
     * network ended at it (what an effective receptive field measures); nodes no gradient reaches
     * are skipped.
     */
    public void backwardFrom(Node node, float[] dy) {
        backward(node.output(), dy);
    }

    private void backward(Value start, float[] dOutput) {
        Map<Value, float[]> dv = new HashMap<>();
        dv.put(start, dOutput);
        for (TrainingPlan.Backward b : plan.backward()) {
            Node n = b.node();
            float[] dy = dv.remove(n.output());
            if (dy == null) continue;
            if (n == watched && dy != null) watchedGradient = dy.clone();
            Node into = plan.absorbedBy(n);
            if (into != null) {
                // The ReLU's gradient goes to the node it was folded into, which masks it in its own passes.
                dv.put(into.output(), dy);
                continue;
            }
            for (Node s : memory.recomputedBefore(n)) recompute(s);
            float[][] dxs = new float[n.inputs().size()][];
            for (int i = 0; i < dxs.length; i++) {
                int length = Math.toIntExact(batch * n.inputs().get(i).shape().size());
                dxs[i] = b.inputGradient(i) ? pool.take(length, n.sourceOp().overwrites(), poison) : null;
            }
            backward(n, dy, dxs);
            // dy is read by no one after its node's backward (the caller's dOutput is not ours to reuse).
            if (dy != dOutput) pool.give(dy);
            for (Node s : memory.freedAfterBackward(n)) release(s);
            for (int i = 0; i < dxs.length; i++) {
                if (dxs[i] == null) continue;
                float[] acc = dv.get(n.inputs().get(i));
                if (acc == null) {
                    dv.put(n.inputs().get(i), dxs[i]);
                } else {
                    FastElementwise.add(acc, dxs[i], acc, Workers.team());
                    pool.give(dxs[i]);
                }
            }
        }
        inputGradient = dv.get(graph.inputs().getFirst());
    }

    private void backward(Node n, float[] dy, float[][] dxs) {
        long start = System.nanoTime();
        Gradient g = new Gradient(dy, dxs, suffix -> grads.get(n.name() + "." + suffix), saved.get(n), conv(n),
                plan.absorbsRelu(n) ? values.get(n.output()) : null, plan.reluCeiling(n));
        n.sourceOp().backward(eval(n, values.get(n.output())), g);
        nanos.computeIfAbsent("backward " + n.op().type(), k -> new long[1])[0] += System.nanoTime() - start;
    }

    /** Rebuilds dropped storage {@code s}'s output for the backward from its inputs and what its forward saved. */
    private void recompute(Node s) {
        long start = System.nanoTime();
        float[] y = pool.take(Math.toIntExact(batch * s.output().shape().size()), true, poison);
        held.put(s, y);
        s.sourceOp().recomputeOutput(eval(s, y), saved.get(s), plan.absorbsRelu(s), plan.reluCeiling(s));
        values.put(s.output(), y);
        Node relu = plan.foldedRelu(s);
        if (relu != null) values.put(relu.output(), y);
        nanos.computeIfAbsent("recompute " + s.op().type(), k -> new long[1])[0] += System.nanoTime() - start;
    }

    @Override
    public TrainingMemoryPlan memoryPlan() {
        return memory;
    }

    /** For tests: an op that claims to overwrite its buffers but reads or leaves a value in them then spreads NaN. */
    void poisonReusedBuffers() {
        poison = true;
    }

    private ConvRunner conv(Node n) {
        return convs.getOrDefault(n, ConvRunner.IM2COL);
    }

    private float[] param(String name) {
        Tensor t = params.get(name);
        return t == null ? null : t.data();
    }
}
