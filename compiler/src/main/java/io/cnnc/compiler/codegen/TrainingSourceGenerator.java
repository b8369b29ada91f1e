package io.cnnc.compiler.codegen;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeSpec;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.BlockedTraining;
import io.cnnc.compiler.ops.CpuCode;
import io.cnnc.compiler.ops.TrainingCode;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.train.TrainingConvStrategies.Directions;
import io.cnnc.compiler.train.TrainingMemoryPlan;
import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.compiler.train.TrainingLayouts;
import io.cnnc.compiler.train.UpdateRule;
import io.cnnc.kernels.cpu.FastElementwise;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.Workers;
import io.cnnc.kernels.cpu.conv.PhaseDataGradient;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.cpu.train.BufferPool;
import io.cnnc.kernels.cpu.train.ConvRunner;
import io.cnnc.kernels.cpu.train.TrainingConv;
import io.cnnc.kernels.cpu.train.TrainingNetwork;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import javax.lang.model.element.Modifier;

/**
 * Writes the Java source of one training step ({@link TrainingNetwork}) for a network, batch
 * size and set of convolution strategies: a field per activation and gradient, a method per node
 * and direction calling the node's kernels with every shape a literal, the memory plan's
 * releases and recomputes where it put them, and the gradients of values read twice summed where
 * the second one arrives. It replays statically what {@code GraphTrainer} decides as it goes.
 */
public final class TrainingSourceGenerator {

    private final TrainingPlan plan;
    private final TrainingMemoryPlan memory;
    private final Map<Node, Directions> convs;
    private final TrainingLayouts layouts;
    private final int batch;
    private final Graph graph;
    private final TypeSpec.Builder type;
    private final MethodSpec.Builder constructor;
    private final Map<Node, Integer> index = new HashMap<>();
    /** The field holding each value's array in the forward (a folded ReLU's is its producer's). */
    private final Map<Value, String> valueField = new HashMap<>();
    /** Storage nodes whose arrays come from the pool (all but the graph output's). */
    private final Set<Node> pooled = new LinkedHashSet<>();
    private final Set<String> fields = new java.util.HashSet<>();
    private int scratches;
    private int gradientFields;

    /** The generated class's constant naming the channel block its blocked tensors and kernels assume ({@link Nchwc#BLOCK}). */
    public static final String BLOCK_FIELD = "NCHWC_BLOCK";

    /** As below, with the layouts {@link TrainingLayouts#choose} gives for {@code convs}. */
    public TrainingSourceGenerator(TrainingPlan plan, TrainingMemoryPlan memory, Map<Node, Directions> convs, int batch, String className) {
        this(plan, memory, convs, TrainingLayouts.choose(plan, convs), batch, className);
    }

    /**
     * {@code convs}: the strategies per conv node; a conv without an entry runs on im2col and
     * GEMM. {@code layouts}: which tensors the step keeps NCHWc.
     */
    public TrainingSourceGenerator(TrainingPlan plan, TrainingMemoryPlan memory, Map<Node, Directions> convs, TrainingLayouts layouts, int batch,
                                   String className) {
        this.plan = plan;
        this.layouts = layouts;
        this.memory = memory;
        this.convs = convs;
        this.batch = batch;
        this.graph = plan.graph();
        this.type = TypeSpec.classBuilder(className).addModifiers(Modifier.PUBLIC, Modifier.FINAL).addSuperinterface(TrainingNetwork.class)
                .addJavadoc("The training step of $L for batch $L, compiled by cnnc. Generated code: do not edit.\n", graph.name(), batch);
        ParameterizedTypeName arrays = ParameterizedTypeName.get(Map.class, String.class, float[].class);
        this.constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addParameter(arrays, "w").addParameter(arrays, "grads").addParameter(BufferPool.class, "pool")
                .addParameter(TrainingConv.Slices.class, "slices").addParameter(Parallel.class, "parallel")
                .addStatement("this.pool = pool").addStatement("this.slices = slices").addStatement("this.parallel = parallel");
    }

    /** The class name for {@code networkName} at {@code batch}: {@code ResNet20Training128}. */
    public static String classNameFor(String networkName, int batch) {
        String model = ModelSourceGenerator.classNameFor(networkName);
        return model.substring(0, model.length() - "Model".length()) + "Training" + batch;
    }

    public JavaFile generate() {
        type.addField(FieldSpec.builder(int.class, "BATCH", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL).initializer("$L", batch).build());
        type.addField(FieldSpec.builder(int.class, BLOCK_FIELD, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL).initializer("$L", Nchwc.BLOCK)
                .addJavadoc("The channel block of the machine this step was generated for: a machine with another one generates its own.\n").build());
        type.addField(BufferPool.class, "pool", Modifier.PRIVATE, Modifier.FINAL);
        type.addField(TrainingConv.Slices.class, "slices", Modifier.PRIVATE, Modifier.FINAL);
        type.addField(Parallel.class, "parallel", Modifier.PRIVATE, Modifier.FINAL);
        type.addField(FieldSpec.builder(Parallel.class, "serial", Modifier.PRIVATE, Modifier.FINAL).initializer("$T.serial()", Parallel.class).build());
        type.addField(boolean.class, "training", Modifier.PRIVATE);
        type.addField(SplittableRandom.class, "random", Modifier.PRIVATE);
        type.addField(float[].class, "in", Modifier.PRIVATE);
        type.addField(float[].class, "dOut", Modifier.PRIVATE);
        Value input = graph.inputs().getFirst();
        valueField.put(input, "in");
        for (int i = 0; i < graph.nodes().size(); i++) index.put(graph.nodes().get(i), i);
        for (Node n : graph.nodes()) {
            Node into = plan.absorbedBy(n);
            if (into != null) {
                valueField.put(n.output(), valueField.get(into.output()));
                continue;
            }
            String field = "a" + index.get(n);
            valueField.put(n.output(), field);
            if (graph.outputs().contains(n.output())) {
                type.addField(FieldSpec.builder(float[].class, field, Modifier.PRIVATE, Modifier.FINAL)
                        .initializer("new float[$L]", Math.multiplyExact(batch, n.output().shape().size())).build());
            } else {
                type.addField(float[].class, field, Modifier.PRIVATE);
                pooled.add(n);
            }
        }
        type.addMethod(MethodSpec.methodBuilder("batch").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(int.class)
                .addStatement("return BATCH").build());
        addForward();
        addBackward();
        addUpdate();
        MethodSpec.Builder release = MethodSpec.methodBuilder("release").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC);
        release(release, pooled);
        for (int k = 0; k < gradientFields; k++) giveBack(release, "g" + k);
        type.addMethod(release.build());
        type.addMethod(constructor.build());
        return JavaFile.builder(ModelSourceGenerator.PACKAGE, type.build()).skipJavaLangImports(true).build();
    }

    private void addForward() {
        MethodSpec.Builder forward = MethodSpec.methodBuilder("forward").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(float[].class).addParameter(float[].class, "x").addParameter(boolean.class, "training")
                .addParameter(SplittableRandom.class, "random")
                .addStatement("this.in = x").addStatement("this.training = training").addStatement("this.random = random");
        forward.addComment("What the last step kept for its backward goes back to the pool.");
        release(forward, pooled);
        for (Node n : graph.nodes()) {
            if (plan.absorbedBy(n) != null) continue;
            String method = "forward" + index.get(n);
            forward.addStatement("$L()", method);
            MethodSpec.Builder m = MethodSpec.methodBuilder(method).addModifiers(Modifier.PRIVATE)
                    .addJavadoc("$L: $L $L -> $L\n", n.name(), n.op().type(), n.inputShapes(), n.output().shape());
            if (pooled.contains(n)) {
                m.addStatement("$L = pool.take($L, $L)", field(n), Math.multiplyExact(batch, n.output().shape().size()), n.sourceOp().overwrites());
            } else {
                m.addStatement("$T.prepared($L, $L, false)", BufferPool.class, field(n), n.sourceOp().overwrites());
            }
            m.addCode(statement(n.sourceOp().trainingForward(code(n, null, null))));
            // An evaluating pass has no backward: every array goes once its last reader has run.
            List<Node> training = pooledOnly(memory.freedAfterForward(n));
            List<Node> evaluating = pooledOnly(memory.lastReadInForward(n));
            if (!training.isEmpty() || !evaluating.isEmpty()) {
                m.beginControlFlow("if (training)");
                release(m, training);
                m.nextControlFlow("else");
                release(m, evaluating);
                m.endControlFlow();
            }
            type.addMethod(m.build());
        }
        forward.addStatement("return $L", valueField.get(graph.outputs().getFirst()));
        type.addMethod(forward.build());
    }

    private void addBackward() {
        MethodSpec.Builder backward = MethodSpec.methodBuilder("backward").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addParameter(float[].class, "dOutput").addStatement("this.dOut = dOutput");
        Map<Value, String> gradientOf = new HashMap<>();
        gradientOf.put(graph.outputs().getFirst(), "dOut");
        for (TrainingPlan.Backward b : plan.backward()) {
            Node n = b.node();
            String dy = gradientOf.remove(n.output());
            Node into = plan.absorbedBy(n);
            if (into != null) {
                // The ReLU's gradient goes to the node it was folded into, which masks it in its own passes.
                gradientOf.put(into.output(), dy);
                continue;
            }
            String method = "backward" + index.get(n);
            backward.addStatement("$L()", method);
            MethodSpec.Builder m = MethodSpec.methodBuilder(method).addModifiers(Modifier.PRIVATE)
                    .addJavadoc("$L: $L, gradient of $L\n", n.name(), n.op().type(), n.output().shape());
            for (Node s : memory.recomputedBefore(n)) {
                m.addStatement("$L = pool.take($L, true)", field(s), Math.multiplyExact(batch, s.output().shape().size()));
                m.addCode(statement(s.sourceOp().recomputeOutput(code(s, null, null))));
            }
            String[] dxs = new String[n.inputs().size()];
            for (int i = 0; i < dxs.length; i++) {
                if (!b.inputGradient(i)) {
                    dxs[i] = "null";
                    continue;
                }
                dxs[i] = "g" + gradientFields++;
                type.addField(float[].class, dxs[i], Modifier.PRIVATE);
                m.addStatement("$L = pool.take($L, $L)", dxs[i], Math.multiplyExact(batch, n.inputs().get(i).shape().size()),
                        n.sourceOp().overwrites());
            }
            m.addCode(statement(n.sourceOp().backward(code(n, dy, dxs))));
            if (!dy.equals("dOut")) giveBack(m, dy);
            release(m, memory.freedAfterBackward(n));
            for (int i = 0; i < dxs.length; i++) {
                if (dxs[i].equals("null")) continue;
                String sum = gradientOf.get(n.inputs().get(i));
                if (sum == null) {
                    gradientOf.put(n.inputs().get(i), dxs[i]);
                } else {
                    m.addStatement("$T.add($L, $L, $L, $T.team())", FastElementwise.class, sum, dxs[i], sum, Workers.class);
                    giveBack(m, dxs[i]);
                }
            }
            type.addMethod(m.build());
        }
        type.addMethod(backward.build());
    }

    private void release(MethodSpec.Builder m, java.util.Collection<Node> storages) {
        for (Node s : pooledOnly(storages)) giveBack(m, field(s));
    }

    /** The array in field {@code name} back to the pool, the field cleared. */
    private static void giveBack(MethodSpec.Builder m, String name) {
        m.addStatement("$L = pool.giveBack($L)", name, name);
    }

    private List<Node> pooledOnly(java.util.Collection<Node> storages) {
        return storages.stream().filter(pooled::contains).toList();
    }

    private String field(Node storage) {
        return valueField.get(storage.output());
    }

    /** A binding's code as statements: one expression gets its semicolon, a block of statements is kept as it is. */
    private static CodeBlock statement(CodeBlock code) {
        if (code == null || code.isEmpty()) return CodeBlock.of("");
        String text = code.toString().strip();
        return text.endsWith(";") || text.endsWith("}") ? code : CodeBlock.builder().addStatement(code).build();
    }

    /** A field named {@code name} of type {@code t}, declared and set in the constructor once. */
    private String field(String name, Class<?> t, String format, Object... args) {
        if (fields.add(name)) {
            type.addField(t, name, Modifier.PRIVATE, Modifier.FINAL);
            constructor.addStatement("this.$L = " + format, prepend(name, args));
        }
        return name;
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] out = new Object[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** The field holding tensor {@code name}. */
    private String paramField(String name) {
        return field("p_" + javaName(name), float[].class, "$T.requireNonNull(w.get($S), $S)", java.util.Objects.class, name, name);
    }

    /** The field holding tensor {@code name}'s gradient. */
    private String gradField(String name) {
        return field("d_" + javaName(name), float[].class, "$T.requireNonNull(grads.get($S), $S)", java.util.Objects.class, name, name);
    }

    /** The plan's update of every tensor it updates, by its rule. */
    private void addUpdate() {
        MethodSpec.Builder update = MethodSpec.methodBuilder("update").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addParameter(double.class, "lr").addParameter(long.class, "step")
                .addParameter(ParameterizedTypeName.get(Map.class, String.class, float[].class), "state");
        UpdateRule rule = plan.rule();
        if (rule == null) {
            update.addStatement("throw new $T($S)", UnsupportedOperationException.class, "the training step was generated without an update rule");
        } else {
            update.addJavadoc("$L\n", rule.print());
            for (Graph.NamedParam p : plan.updated()) {
                update.addCode(rule.code(paramField(p.name()), gradField(p.name()), p.name(), Math.toIntExact(p.spec().size())));
            }
        }
        type.addMethod(update.build());
    }

    private static String javaName(String name) {
        return name.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** The names node {@code n}'s bindings write with; {@code dy} and {@code dxs} only for its backward. */
    private TrainingCode code(Node n, String dy, String[] dxs) {
        int i = index.get(n);
        TrainingSourceGenerator g = this;
        return new TrainingCode() {
            @Override
            public Node node() {
                return n;
            }

            @Override
            public int batch() {
                return batch;
            }

            @Override
            public String input(int k) {
                return valueField.get(n.inputs().get(k));
            }

            @Override
            public String y() {
                return valueField.get(n.output());
            }

            @Override
            public String param(String suffix) {
                return g.paramField(n.name() + "." + suffix);
            }

            @Override
            public String grad(String suffix) {
                String name = n.name() + "." + suffix;
                return plan.updated().stream().anyMatch(p -> p.name().equals(name)) ? g.gradField(name) : "null";
            }

            @Override
            public String dy() {
                return dy;
            }

            @Override
            public String dx(int k) {
                return dxs[k];
            }

            @Override
            public String reluOutput() {
                return plan.absorbsRelu(n) ? valueField.get(n.output()) : "null";
            }

            @Override
            public boolean relu() {
                return plan.absorbsRelu(n);
            }

            @Override
            public float reluCeiling() {
                return plan.reluCeiling(n);
            }

            @Override
            public boolean frozen() {
                return plan.frozen(n);
            }

            @Override
            public String training() {
                return "training";
            }

            @Override
            public String random() {
                return "random";
            }

            @Override
            public String saved(int k, int length) {
                return g.field("saved" + i + "_" + k, float[].class, "new float[$L]", length);
            }

            @Override
            public String scratch(int length) {
                return g.field("scratch" + scratches++, float[].class, "new float[$L]", length);
            }

            @Override
            public boolean blocked() {
                return n.sourceOp().blockedTraining() != BlockedTraining.NONE && layouts.blockedInput(n);
            }

            @Override
            public String conv() {
                return g.field("conv" + i, ConvRunner.class, "$L", convRunner(convs.get(n), layouts.conv(n)));
            }

            @Override
            public String threads() {
                return ModelSourceGenerator.runsAlone(n, batch) ? "serial" : "parallel";
            }

            @Override
            public CpuCode inference() {
                TrainingCode t = this;
                return new CpuCode() {
                    @Override
                    public Node node() {
                        return n;
                    }

                    @Override
                    public int index() {
                        return i;
                    }

                    @Override
                    public String input(int k) {
                        return t.input(k);
                    }

                    @Override
                    public String y() {
                        return t.y();
                    }

                    @Override
                    public String weight(String suffix) {
                        return t.param(suffix);
                    }

                    @Override
                    public String threads() {
                        return t.threads();
                    }

                    @Override
                    public Choice choice() {
                        throw new UnsupportedOperationException(n.op().type() + " is not a convolution");
                    }

                    @Override
                    public void field(Class<?> fieldType, String name, String javadoc) {
                        throw new UnsupportedOperationException(n.op().type() + " prepares its weights once; it needs a training forward binding");
                    }

                    @Override
                    public void setUp(String format, Object... args) {
                        throw new UnsupportedOperationException(n.op().type() + " prepares its weights once; it needs a training forward binding");
                    }
                };
            }
        };
    }

    /** The runner for a conv's chosen strategies, as a constructor expression; im2col and GEMM where none were chosen. */
    private static CodeBlock convRunner(Directions d, TrainingConv.Layouts layouts) {
        if (d == null) return CodeBlock.of("$T.IM2COL", ConvRunner.class);
        ClassName run = ClassName.get(TrainingConv.Run.class);
        CodeBlock phases = CodeBlock.of("null");
        CodeBlock phaseRuns = CodeBlock.of("null");
        if (d.phases() != null) {
            phases = CodeBlock.of("$T.phases($L)", PhaseDataGradient.class, RecordLiteral.of(d.forwardGeometry()));
            CodeBlock.Builder runs = CodeBlock.builder();
            List<TrainingConv.Run> list = d.phaseRuns();
            for (int k = 0; k < list.size(); k++) runs.add(k == 0 ? "$L" : ", $L", run(run, list.get(k)));
            phaseRuns = CodeBlock.of("$T.asList($L)", java.util.Arrays.class, runs.build());
        }
        return CodeBlock.of("new $T($L, $L, $L, $T.$L, $L, $L, $L, slices, new $T($L, $L))", TrainingConv.class, run(run, Directions.run(d.forward())),
                run(run, Directions.run(d.data())), d.dataGeometry() == null ? "null" : RecordLiteral.of(d.dataGeometry()),
                d.weight().getClass(), d.weight().name(), phases, phaseRuns, d.depthwiseData(), TrainingConv.Layouts.class, layouts.input(),
                layouts.output());
    }

    private static CodeBlock run(ClassName run, TrainingConv.Run r) {
        return r == null ? CodeBlock.of("null") : CodeBlock.of("new $T($S, $L)", run, r.strategy(), r.threads());
    }
}
