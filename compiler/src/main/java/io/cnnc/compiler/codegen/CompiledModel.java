package io.cnnc.compiler.codegen;

import com.squareup.javapoet.JavaFile;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.passes.InferencePipeline;
import io.cnnc.compiler.plan.FoldedConvWeights;
import io.cnnc.compiler.plan.MemoryPlan;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.InvertedResidualFusion;
import io.cnnc.compiler.schedule.LayoutChoice;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.StrategyChooser;
import io.cnnc.compiler.schedule.TuningCache;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.target.tornado.TornadoTarget;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network compiled for the CPU: the optimized graph, the strategy of every convolution, the
 * memory plan, the generated Java source and the weights it reads (BatchNorm already folded).
 * {@link #instantiate} compiles the source in memory and returns a runnable network.
 */
public final class CompiledModel {

    private static final AtomicLong CPU_COMPILES = new AtomicLong();

    /** The source graph and, after the inference passes, the planar one (all NCHW) with its memory plan. */
    private final FrontHalf front;
    /** The planar graph with layouts chosen for the CPU (reorders inserted): what the CPU code runs. */
    private final Graph optimized;
    private final Map<Node, Choice> choices;
    private final MemoryPlan memory;
    private final JavaFile javaFile;
    private final Map<String, float[]> weights;
    private final CompileOptions options;
    private final Map<String, Long> phaseNanos;
    /** The inverted residual blocks found after the layout choice, fused or kept apart. */
    private final InvertedResidualFusion.Result fusion;
    private Map<String, byte[]> classes;

    private CompiledModel(FrontHalf front, Graph optimized, Map<Node, Choice> choices, MemoryPlan memory, JavaFile javaFile,
                          Map<String, float[]> weights, CompileOptions options, Map<String, Long> phaseNanos, InvertedResidualFusion.Result fusion) {
        this.front = front;
        this.optimized = optimized;
        this.choices = choices;
        this.memory = memory;
        this.javaFile = javaFile;
        this.weights = weights;
        this.options = options;
        this.phaseNanos = phaseNanos;
        this.fusion = fusion;
    }

    /** {@code weights} are the source graph's tensors by full name. */
    public static CompiledModel compile(Graph source, Map<String, float[]> weights, CompileOptions options) {
        return compile(FrontHalf.of(source), weights, options);
    }

    /** From a front half already computed (the passes are not run again); see {@code CpuTarget}. */
    public static CompiledModel compile(FrontHalf front, Map<String, float[]> weights, CompileOptions options) {
        CPU_COMPILES.incrementAndGet();
        Graph source = front.source();
        Graph optimized = front.planar();
        Map<String, Long> phases = new LinkedHashMap<>();
        phases.put("passes", front.passNanos());
        long t = System.nanoTime();
        Machine machine = Machine.detect();
        Map<Node, Choice> planarChoices = new StrategyChooser(machine, options.threads(), options::allows, options.strategies()).choose(optimized);
        Map<String, float[]> folded = foldWeights(optimized, weights);
        if (options.tune()) {
            TuningCache cache = TuningCache.open(options.tuningCache() != null ? options.tuningCache() : TuningCache.defaultLocation());
            planarChoices = NetworkTuner.tune(optimized, planarChoices, folded, options, machine, cache,
                    ModelSourceGenerator.classNameFor(source.name()));
            try {
                cache.save();
            } catch (IOException e) {
                throw new UncheckedIOException("could not save the tuning cache " + cache.file(), e);
            }
        }
        phases.put("strategy choice", System.nanoTime() - t);
        t = System.nanoTime();
        LayoutChoice.Result laidOut = LayoutChoice.apply(optimized, planarChoices, options.batch());
        InvertedResidualFusion.Result laid = InvertedResidualFusion.apply(laidOut, machine, options.threads(), options.strategies());
        phases.put("layout choice", System.nanoTime() - t);
        t = System.nanoTime();
        MemoryPlan memory = MemoryPlan.of(laid.graph());
        JavaFile file = new ModelSourceGenerator(laid.graph(), laid.choices(), memory, options.batch(),
                ModelSourceGenerator.classNameFor(source.name())).generate();
        phases.put("code generation", System.nanoTime() - t);
        return new CompiledModel(front, laid.graph(), laid.choices(), memory, file, folded, options, phases, laid);
    }

    /** How many networks this process has compiled for the CPU (strategy choice onwards): lets tests check that a target skips it. */
    public static long cpuCompiles() {
        return CPU_COMPILES.get();
    }

    /** The tensors the generated code reads: folded conv weights and biases, everything else as given. */
    private static Map<String, float[]> foldWeights(Graph optimized, Map<String, float[]> weights) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Node n : optimized.nodes()) {
            if (n.op() instanceof FusedConvOp f) {
                FoldedConvWeights fw = FoldedConvWeights.of(f, name -> require(weights, name));
                out.put(f.convName() + ".weight", fw.weight());
                if (fw.bias() != null) out.put(f.convName() + ".bias", fw.bias());
            } else {
                for (var p : n.params()) out.put(n.paramName(p), require(weights, n.paramName(p)));
            }
        }
        return out;
    }

    private static float[] require(Map<String, float[]> weights, String name) {
        float[] w = weights.get(name);
        if (w == null) throw new IllegalArgumentException("no weight tensor '" + name + "'");
        return w;
    }

    public String className() {
        return ModelSourceGenerator.PACKAGE + "." + javaFile.typeSpec.name;
    }

    /** The generated classes, compiled on first use. */
    public synchronized Map<String, byte[]> classes() {
        if (classes == null) {
            long t = System.nanoTime();
            classes = JavaSourceCompiler.compile(className(), javaFile.toString());
            phaseNanos.put("javac", System.nanoTime() - t);
        }
        return classes;
    }

    public CompiledNetwork instantiate(Parallel parallel) {
        return instantiate(parallel, weights);
    }

    /** Runs the constructor with {@code weights} in the folded form of {@link #weights()}. */
    public CompiledNetwork instantiate(Parallel parallel, Map<String, float[]> foldedWeights) {
        ClassLoader loader = JavaSourceCompiler.loader(classes(), CompiledNetwork.class.getClassLoader());
        try {
            return (CompiledNetwork) loader.loadClass(className()).getConstructor(Map.class, Parallel.class)
                    .newInstance(foldedWeights, parallel);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not instantiate the generated model " + className(), e);
        }
    }

    /**
     * The same network generated with a clock around every layer (a class of its own, compiled
     * now): per-layer times as they are inside the whole network, caches and all.
     */
    public ProfiledNetwork instantiateProfiled(Parallel parallel) {
        JavaFile file = new ModelSourceGenerator(optimized, choices, memory, options.batch(),
                ModelSourceGenerator.classNameFor(front.source().name()) + "Profiled", true).generate();
        return (ProfiledNetwork) instantiate(file, parallel);
    }

    /**
     * The same optimized graph, memory plan and weights as TornadoVM loop kernels: with
     * {@code tornado} the TaskGraph wiring (compile against tornado-api), without it the plain
     * Java fallback. Throws UnsupportedOperationException naming layers the target lacks.
     */
    public JavaFile tornadoSource(boolean tornado) {
        return new TornadoTarget(options.batch(), tornado).compile(front, weights);
    }

    /** Compiles {@code file} in memory and constructs it with this model's folded weights. */
    public CompiledNetwork instantiate(JavaFile file, Parallel parallel) {
        return load(file, weights, parallel);
    }

    /** Compiles {@code file} in memory and constructs it with {@code foldedWeights}. */
    static CompiledNetwork load(JavaFile file, Map<String, float[]> foldedWeights, Parallel parallel) {
        String name = file.packageName + "." + file.typeSpec.name;
        ClassLoader loader = JavaSourceCompiler.loader(JavaSourceCompiler.compile(name, file.toString()), CompiledNetwork.class.getClassLoader());
        try {
            return (CompiledNetwork) loader.loadClass(name).getConstructor(Map.class, Parallel.class).newInstance(foldedWeights, parallel);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not instantiate the generated model " + name, e);
        }
    }

    /** The inverted residual blocks the cost model fused, and those it kept apart, with its estimates. */
    public InvertedResidualFusion.Result fusion() {
        return fusion;
    }

    /** The passes and memory plan this model was compiled from, which the other targets can reuse. */
    public FrontHalf front() {
        return front;
    }

    public Graph source() {
        return front.source();
    }

    /** The graph the CPU code runs: passes applied, layouts chosen. */
    public Graph optimized() {
        return optimized;
    }

    /** The graph after the inference passes, before layout choice (every value NCHW). */
    public Graph planar() {
        return front.planar();
    }

    public Map<Node, Choice> choices() {
        return choices;
    }

    public MemoryPlan memory() {
        return memory;
    }

    public String javaSource() {
        return javaFile.toString();
    }

    public Map<String, float[]> weights() {
        return weights;
    }

    public CompileOptions options() {
        return options;
    }

    /** Milliseconds per compile phase so far, in order. */
    public Map<String, Double> phaseMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        phaseNanos.forEach((k, v) -> out.put(k, v / 1e6));
        return out;
    }

    public List<String> passNames() {
        List<String> names = new java.util.ArrayList<>(InferencePipeline.standard().passes().stream().map(p -> p.name()).toList());
        names.add("choose-layouts");
        return names;
    }
}
