package io.cnnc.runtime.train;

import io.cnnc.compiler.codegen.JavaSourceCompiler;
import io.cnnc.compiler.codegen.ModelSourceGenerator;
import io.cnnc.compiler.codegen.TrainingSourceGenerator;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.train.TrainingConvStrategies;
import io.cnnc.compiler.train.TrainingMemoryPlan;
import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.compiler.train.UpdateRule;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.train.BufferPool;
import io.cnnc.kernels.cpu.train.Dropout;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.cpu.train.TrainingConv;
import io.cnnc.kernels.cpu.train.TrainingNetwork;
import io.cnnc.runtime.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Trains on generated code: the training plan, its memory plan and the strategies chosen per
 * convolution are written as one class per batch size ({@link TrainingSourceGenerator}), compiled
 * in memory when a batch of that size first comes (a run's whole batches, its last partial one,
 * evaluation's), and run with the parameters and gradients shared between them.
 */
public final class GeneratedTrainer implements TrainingEngine {

    private final TrainingPlan plan;
    private final TrainingMemoryPlan memory;
    private final Map<Node, TrainingConvStrategies.Directions> convs;
    private final Map<String, float[]> params = new HashMap<>();
    private final Map<String, float[]> grads;
    private final Map<Integer, TrainingNetwork> steps = new HashMap<>();
    private final BufferPool pool = new BufferPool();
    private final TrainingConv.Slices slices = new TrainingConv.Slices();
    private final Parallel parallel;
    private final long seed;
    private final int sampleSize;
    private SplittableRandom random;
    private TrainingNetwork last;
    /** Where classes generated ahead (a trainer jar's) are looked up before one is compiled; null: none. */
    private ClassLoader packaged;

    /**
     * On the strategies the cost model chooses for {@code threads} cores among those
     * {@code strategies} allows; {@code rule}: the update the step's code applies (null: none,
     * the caller's optimizer steps the gradients).
     */
    public GeneratedTrainer(Graph graph, Map<String, Tensor> params, long seed, Set<String> frozen, UpdateRule rule, int threads,
                            Predicate<String> strategies) {
        this(graph, params, seed, frozen, rule, threads,
                TrainingConvStrategies.choose(TrainingPlan.derive(graph, frozen), Machine.detect(), threads, strategies));
    }

    /** On the strategies {@code chosen} per conv node (the training tuner's). */
    public GeneratedTrainer(Graph graph, Map<String, Tensor> params, long seed, Set<String> frozen, UpdateRule rule, int threads,
                            Map<Node, TrainingConvStrategies.Directions> chosen) {
        TrainingPlan.requireTrainable(graph);
        this.plan = TrainingPlan.derive(graph, frozen, rule);
        this.memory = TrainingMemoryPlan.of(plan);
        this.convs = chosen;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.parallel = Parallel.of(threads);
        this.sampleSize = Math.toIntExact(graph.inputs().getFirst().shape().size());
        params.forEach((k, v) -> this.params.put(k, v.data()));
        this.grads = plan.newGradients();
    }

    @Override
    public int sampleSize() {
        return sampleSize;
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        TrainingNetwork step = steps.computeIfAbsent(batch, this::compile);
        if (step != last) {
            // Another batch size: what the last class kept goes back, and arrays sized for it would only sit in the pool.
            if (last != null) last.release();
            pool.clear();
            last = step;
        }
        return step.forward(x.length == batch * sampleSize ? x : Arrays.copyOf(x, batch * sampleSize), training, random);
    }

    @Override
    public void backward(float[] dOutput) {
        last.backward(dOutput);
    }

    @Override
    public boolean appliesUpdate(UpdateRule rule) {
        return rule.equals(plan.rule());
    }

    @Override
    public void update(double lr, long step, Map<String, float[]> state) {
        last.update(lr, step, state);
    }

    @Override
    public Map<String, float[]> gradients() {
        return grads;
    }

    @Override
    public void zeroGradients() {
        for (float[] g : grads.values()) Arrays.fill(g, 0f);
    }

    @Override
    public void startEpoch(int epoch) {
        random = Dropout.epochStream(seed, epoch);
    }

    @Override
    public TrainingMemoryPlan memoryPlan() {
        return memory;
    }

    /**
     * Looks up each batch size's class in {@code loader} first ({@link #classFiles}, packaged in
     * a trainer jar), so that a runtime without a Java compiler trains at the packaged sizes.
     */
    public void usePackaged(ClassLoader loader) {
        this.packaged = loader;
    }

    /** The class files of the step for {@code batch}, by binary name: what a trainer jar packages. */
    public Map<String, byte[]> classFiles(int batch) {
        String name = TrainingSourceGenerator.classNameFor(plan.graph().name(), batch);
        String source = new TrainingSourceGenerator(plan, memory, convs, batch, name).generate().toString();
        return JavaSourceCompiler.compile(ModelSourceGenerator.PACKAGE + "." + name, source);
    }

    /** For tests: arrays an op claims to overwrite, and arrays given back, are filled with NaN. */
    void poisonReusedBuffers() {
        pool.poison();
    }

    private TrainingNetwork compile(int batch) {
        String name = TrainingSourceGenerator.classNameFor(plan.graph().name(), batch);
        String binary = ModelSourceGenerator.PACKAGE + "." + name;
        try {
            Class<?> c = packagedClass(binary);
            if (c == null) {
                if (!canCompile()) {
                    throw new IllegalStateException("no training step for batch " + batch + " and " + Nchwc.NAME + " blocks (this CPU's) is "
                            + "packaged, and this Java runtime has no compiler to generate one: package that batch size on a machine of this "
                            + "vector width (cnnc compile --train --batch " + batch + " -o ...) or run on a JDK");
                }
                c = JavaSourceCompiler.loader(classFiles(batch), TrainingNetwork.class.getClassLoader()).loadClass(binary);
            }
            return (TrainingNetwork) c.getConstructor(Map.class, Map.class, BufferPool.class, TrainingConv.Slices.class, Parallel.class)
                    .newInstance(params, grads, pool, slices, parallel);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not instantiate the generated training step " + name, e);
        }
    }

    /**
     * Whether a step can be generated here: the java.compiler module is asked for first, since
     * without it javax.tools, and JavaSourceCompiler which names its types, do not load.
     */
    private static boolean canCompile() {
        return ModuleLayer.boot().findModule("java.compiler").isPresent() && javax.tools.ToolProvider.getSystemJavaCompiler() != null;
    }

    /**
     * The packaged class, or null where there is none or it was generated for another channel
     * block ({@link TrainingSourceGenerator#BLOCK_FIELD}): its blocked tensors and kernels are
     * those of the machine that generated it.
     */
    private Class<?> packagedClass(String binary) {
        if (packaged == null) return null;
        try {
            Class<?> c = Class.forName(binary, true, packaged);
            return c.getField(TrainingSourceGenerator.BLOCK_FIELD).getInt(null) == Nchwc.BLOCK ? c : null;
        } catch (ClassNotFoundException | NoSuchFieldException | IllegalAccessException e) {
            return null;
        }
    }
}
