package io.cnnc.runtime.train;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.ConvRunner;
import io.cnnc.compiler.ops.Eval;
import io.cnnc.compiler.ops.Gradient;
import io.cnnc.compiler.ops.TrainingStep;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.train.TrainingConvStrategies;
import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.kernels.cpu.FastElementwise;
import io.cnnc.kernels.cpu.Workers;
import io.cnnc.runtime.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Forward and backward passes of a graph for training: batch norm uses batch statistics and
 * updates its running ones, dropout drops; activations are kept for the backward pass, which
 * runs the {@link TrainingPlan}'s steps and adds parameter gradients into {@link #gradients()}.
 */
public final class GraphTrainer {

    /**
     * How the nodes run: {@code COMPILED} on the strategies the training plan chose for each
     * convolution (TrainingConvStrategies), {@code REFERENCE} on im2col and GEMM, the oracle the
     * compiled engine is checked against.
     */
    public enum Engine { COMPILED, REFERENCE }

    private final Graph graph;
    private final Map<String, Tensor> params;
    private final Map<String, float[]> grads = new HashMap<>();
    private final Map<Value, float[]> values = new HashMap<>();
    private final Map<Node, float[][]> saved = new HashMap<>();
    /**
     * Output arrays kept from step to step, and input-gradient arrays pooled: a training batch's
     * activations are megabytes each, and fresh ones cost the JVM's zeroing, the kernel's page
     * faults and the collector's work on every step.
     */
    private final Map<Node, float[]> outputBuffers = new HashMap<>();
    private final GradientBuffers gradients = new GradientBuffers();
    /** Nanoseconds spent per op type and direction ("forward conv"), since construction. */
    private final Map<String, long[]> nanos = new java.util.TreeMap<>();
    private boolean poison;
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
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("training needs a network with one input and one output");
        }
        for (Node n : graph.nodes()) n.sourceOp(); // an optimized graph fails here, before any work
        this.graph = graph;
        this.params = params;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.plan = TrainingPlan.derive(graph, frozenNodes);
        for (Graph.NamedParam p : plan.updated()) grads.put(p.name(), new float[Math.toIntExact(p.spec().size())]);
        if (engine == Engine.COMPILED) {
            Map<Node, TrainingConvStrategies.Directions> chosen = TrainingConvStrategies.choose(plan, Machine.detect(), threads, strategies);
            StrategyConvRunner.Slices slices = new StrategyConvRunner.Slices();
            chosen.forEach((n, d) -> convs.put(n, new StrategyConvRunner(d, slices)));
        }
    }

    /** Gradients of the learned, unfrozen parameters, by name. */
    public Map<String, float[]> gradients() {
        return grads;
    }

    /** Dropout masks of {@code epoch} come from a stream of their own (resumed runs repeat them). */
    public void startEpoch(int epoch) {
        random = new SplittableRandom(seed * 31 + epoch);
    }

    public void zeroGradients() {
        for (float[] g : grads.values()) java.util.Arrays.fill(g, 0f);
    }

    /** Runs the network on {@code x} ([batch, C, H, W] flattened); returns the output (logits). */
    public float[] forward(float[] x, int batch, boolean training) {
        this.batch = batch;
        this.training = training;
        values.clear();
        saved.clear();
        values.put(graph.inputs().getFirst(), x);
        for (Node n : graph.nodes()) {
            Node into = plan.absorbedBy(n);
            if (into != null) {
                // The node before computed this ReLU into its own output.
                values.put(n.output(), values.get(into.output()));
                continue;
            }
            float[] y = reused(outputBuffers.get(n), Math.toIntExact(batch * n.output().shape().size()), n.sourceOp().overwrites());
            outputBuffers.put(n, y);
            forward(n, y);
            values.put(n.output(), y);
        }
        return values.get(graph.outputs().getFirst());
    }

    private void forward(Node n, float[] y) {
        long start = System.nanoTime();
        TrainingStep step = new TrainingStep(training, plan.frozen(n), random, arrays -> saved.put(n, arrays), conv(n), plan.absorbsRelu(n));
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

    /** A node's output from the last forward pass ([batch, C, H, W] flattened). */
    public float[] outputOf(Node node) {
        return values.get(node.output());
    }

    /** Backpropagates {@code dOutput}, the loss gradient with respect to the network's output. */
    public void backward(float[] dOutput) {
        Map<Value, float[]> dv = new HashMap<>();
        dv.put(graph.outputs().getFirst(), dOutput);
        for (TrainingPlan.Backward b : plan.backward()) {
            Node n = b.node();
            float[] dy = dv.remove(n.output());
            Node into = plan.absorbedBy(n);
            if (into != null) {
                // The ReLU's gradient goes to the node it was folded into, which masks it in its own passes.
                dv.put(into.output(), dy);
                continue;
            }
            float[][] dxs = new float[n.inputs().size()][];
            for (int i = 0; i < dxs.length; i++) {
                dxs[i] = b.inputGradient(i) ? gradients.take(values.get(n.inputs().get(i)).length, n.sourceOp().overwrites(), poison) : null;
            }
            backward(n, dy, dxs);
            // dy is read by no one after its node's backward (the caller's dOutput is not ours to reuse).
            if (dy != dOutput) gradients.give(dy);
            for (int i = 0; i < dxs.length; i++) {
                if (dxs[i] == null) continue;
                float[] acc = dv.get(n.inputs().get(i));
                if (acc == null) {
                    dv.put(n.inputs().get(i), dxs[i]);
                } else {
                    FastElementwise.add(acc, dxs[i], acc, Workers.team());
                    gradients.give(dxs[i]);
                }
            }
        }
    }

    private void backward(Node n, float[] dy, float[][] dxs) {
        long start = System.nanoTime();
        Gradient g = new Gradient(dy, dxs, suffix -> grads.get(n.name() + "." + suffix), saved.get(n), conv(n),
                plan.absorbsRelu(n) ? values.get(n.output()) : null);
        n.sourceOp().backward(eval(n, values.get(n.output())), g);
        nanos.computeIfAbsent("backward " + n.op().type(), k -> new long[1])[0] += System.nanoTime() - start;
    }

    /**
     * {@code kept} where it has {@code length} floats, else a new array; cleared unless its op
     * {@code overwrites} it, and then filled with NaN where {@link #poisonReusedBuffers} asked.
     */
    private float[] reused(float[] kept, int length, boolean overwritten) {
        return GradientBuffers.prepared(kept == null || kept.length != length ? new float[length] : kept, overwritten, poison);
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
