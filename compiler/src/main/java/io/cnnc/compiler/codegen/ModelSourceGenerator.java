package io.cnnc.compiler.codegen;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeSpec;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Layout;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.*;
import io.cnnc.compiler.plan.MemoryPlan;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import io.cnnc.kernels.cpu.FastActivation;
import io.cnnc.kernels.cpu.FastAdaptiveAvgPool;
import io.cnnc.kernels.cpu.FastAvgPool;
import io.cnnc.kernels.cpu.FastChannelAffine;
import io.cnnc.kernels.cpu.FastDense;
import io.cnnc.kernels.cpu.FastElementwise;
import io.cnnc.kernels.cpu.FastGlobalPool;
import io.cnnc.kernels.cpu.BlockedPool;
import io.cnnc.kernels.cpu.FastMaxPool;
import io.cnnc.kernels.cpu.conv.ConvKernel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.Epilogue;
import io.cnnc.kernels.reference.*;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Writes the Java source of a compiled network: one field per buffer slot of the memory plan,
 * one prepared {@link ConvKernel} per convolution with the chosen strategy, every shape and
 * geometry a literal, and a straight-line {@code forward} calling the kernels in order.
 */
public final class ModelSourceGenerator {

    public static final String PACKAGE = "cnnc.generated";

    private final Graph graph;
    private final Map<Node, Choice> choices;
    private final MemoryPlan memory;
    private final int batch;
    private final Map<String, String> weightFields = new LinkedHashMap<>();
    private final MethodSpec.Builder constructor;
    private final TypeSpec.Builder type;
    private final boolean profiled;
    /** Whether forward and the constructor are split into methods of {@link #LAYERS_PER_METHOD} layers. */
    private final boolean split;
    private MethodSpec.Builder setUpMethod;
    private int setUpStatements;
    private int setUpMethods;

    public ModelSourceGenerator(Graph graph, Map<Node, Choice> choices, MemoryPlan memory, int batch, String className) {
        this(graph, choices, memory, batch, className, false);
    }

    /** With {@code profiled} the class also implements {@link ProfiledNetwork}: a clock read after every layer. */
    public ModelSourceGenerator(Graph graph, Map<Node, Choice> choices, MemoryPlan memory, int batch, String className, boolean profiled) {
        this.graph = graph;
        this.profiled = profiled;
        this.split = graph.nodes().size() > LAYERS_PER_METHOD;
        this.choices = choices;
        this.memory = memory;
        this.batch = batch;
        this.type = TypeSpec.classBuilder(className)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(CompiledNetwork.class)
                .addJavadoc("$L compiled by cnnc for batch $L. Generated code: do not edit.\n", graph.name(), batch);
        this.constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addParameter(ParameterizedTypeName.get(Map.class, String.class, float[].class), "w")
                .addParameter(Parallel.class, "parallel")
                .addStatement("this.parallel = parallel");
        type.addField(FieldSpec.builder(Parallel.class, "parallel", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(Parallel.class, "serial", Modifier.PRIVATE, Modifier.FINAL)
                .initializer("$T.serial()", Parallel.class).build());
    }

    /**
     * Elements (inputs, output and parameters) up to which an op other than a conv runs on the
     * calling thread alone, because sharing out so little work costs more in hand-over and moved
     * cache lines than it saves (docs/compiler.md, "Threads per layer"). Convs have their own
     * rule (StrategyChooser's threads per layer).
     */
    static final long SERIAL_ELEMENTS = 65536;

    private boolean runsAlone(Node n) {
        long touched = n.output().shape().size() * batch;
        for (Shape in : n.inputShapes()) touched += in.size() * batch;
        for (var p : n.op().params(n.inputShapes())) touched += p.size();
        return touched <= SERIAL_ELEMENTS;
    }

    /** Class names are Java identifiers derived from the network's name: {@code ResNet20Model}. */
    public static String classNameFor(String networkName) {
        String s = networkName.replaceAll("[^A-Za-z0-9_]", "_");
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) s = "N" + s;
        return Character.toUpperCase(s.charAt(0)) + s.substring(1) + "Model";
    }

    public JavaFile generate() {
        List<Long> slots = memory.slotSizes();
        for (int i = 0; i < slots.size(); i++) {
            type.addField(FieldSpec.builder(float[].class, "s" + i, Modifier.PRIVATE, Modifier.FINAL)
                    .initializer("new float[$L]", Math.multiplyExact(slots.get(i), (long) batch)).build());
        }
        type.addField(FieldSpec.builder(int.class, "BATCH", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL).initializer("$L", batch).build());
        MethodSpec.Builder forward = MethodSpec.methodBuilder("forward").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).addParameter(float[][].class, "inputs").addParameter(float[][].class, "outputs");
        for (int i = 0; i < graph.inputs().size(); i++) forward.addStatement("float[] in$L = inputs[$L]", i, i);
        CodeBlock.Builder lengths = CodeBlock.builder();
        for (int i = 0; i < graph.outputs().size(); i++) {
            long n = Math.multiplyExact(graph.outputs().get(i).shape().size(), (long) batch);
            lengths.add(i == 0 ? "$L" : ", $L", n);
            // Kernels take sizes from array lengths: a caller's array of another length would be misread.
            forward.addStatement("float[] out$L = outputs[$L]", i, i)
                    .beginControlFlow("if (out$L.length != $L)", i, n)
                    .addStatement("throw new IllegalArgumentException($S + out$L.length)", "output " + i + " needs " + n + " floats, got ", i)
                    .endControlFlow();
        }
        MethodSpec.Builder layers = split ? null : forward;
        if (!split && profiled) forward.addStatement("long t0 = System.nanoTime(), t1");
        int index = 0;
        List<String> timed = new java.util.ArrayList<>();
        List<String> notes = new java.util.ArrayList<>();
        for (Node n : graph.nodes()) {
            if (split && index % LAYERS_PER_METHOD == 0) {
                if (layers != null) type.addMethod(layers.build());
                layers = layersMethod(index / LAYERS_PER_METHOD);
                forward.addStatement("layers$L(inputs, outputs)", index / LAYERS_PER_METHOD);
            }
            layers.addComment("$L: $L $L -> $L", n.name(), n.op().type(), n.inputShapes(), n.output().shape());
            CodeBlock call = call(n, index++);
            if (call == null) continue;
            layers.addStatement(call);
            if (profiled) {
                layers.addStatement("t1 = System.nanoTime()").addStatement("nanos[$L] += t1 - t0", timed.size()).addStatement("t0 = t1");
                timed.add(n.name());
                notes.add(n.op() instanceof FusedConvOp ? "conv" + (index - 1) + ".decided()" : "\"\"");
            }
        }
        if (split && layers != null) type.addMethod(layers.build());
        if (setUpMethod != null) type.addMethod(setUpMethod.build());
        if (profiled) addProfileMembers(timed, notes);
        for (int i = 0; i < graph.outputs().size(); i++) {
            Value v = graph.outputs().get(i);
            String from = var(v);
            if (!from.equals("out" + i)) forward.addStatement("System.arraycopy($L, 0, out$L, 0, out$L.length)", from, i, i);
        }
        type.addMethod(constructor.build());
        type.addMethod(MethodSpec.methodBuilder("batch").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(int.class).addStatement("return BATCH").build());
        type.addMethod(forward.build());
        type.addMethod(MethodSpec.methodBuilder("outputLengths").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(int[].class).addStatement("return new int[] {$L}", lengths.build()).build());
        return JavaFile.builder(PACKAGE, type.build()).skipJavaLangImports(true).indent("    ").build();
    }

    /**
     * Layers per generated method once a network has more: the JVM refuses a method over 64 KB
     * of bytecode, and a layer's call takes well under 300 bytes.
     */
    static final int LAYERS_PER_METHOD = 200;

    /** A statement of the constructor; in a split class, of one of the {@code setUpK(w)} methods it calls. */
    private void setUp(String format, Object... args) {
        if (!split) {
            constructor.addStatement(format, args);
            return;
        }
        if (setUpMethod == null || setUpStatements == LAYERS_PER_METHOD) {
            if (setUpMethod != null) type.addMethod(setUpMethod.build());
            setUpMethod = MethodSpec.methodBuilder("setUp" + setUpMethods).addModifiers(Modifier.PRIVATE)
                    .addParameter(ParameterizedTypeName.get(Map.class, String.class, float[].class), "w");
            constructor.addStatement("setUp$L(w)", setUpMethods++);
            setUpStatements = 0;
        }
        setUpMethod.addStatement(format, args);
        setUpStatements++;
    }

    /** Fields the constructor sets; those set in setUp methods cannot be final. */
    private Modifier[] setUpFieldModifiers() {
        return split ? new Modifier[] {Modifier.PRIVATE} : new Modifier[] {Modifier.PRIVATE, Modifier.FINAL};
    }

    /** {@code layersK(inputs, outputs)}: a run of forward's layers, with forward's names for the arrays. */
    private MethodSpec.Builder layersMethod(int k) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("layers" + k).addModifiers(Modifier.PRIVATE)
                .addParameter(float[][].class, "inputs").addParameter(float[][].class, "outputs");
        for (int i = 0; i < graph.inputs().size(); i++) m.addStatement("float[] in$L = inputs[$L]", i, i);
        for (int i = 0; i < graph.outputs().size(); i++) m.addStatement("float[] out$L = outputs[$L]", i, i);
        if (profiled) m.addStatement("long t0 = System.nanoTime(), t1");
        return m;
    }

    /** {@code notes}: per timed layer, the expression giving what its kernel decided while running. */
    private void addProfileMembers(List<String> timed, List<String> notes) {
        type.addSuperinterface(ProfiledNetwork.class);
        type.addField(FieldSpec.builder(long[].class, "nanos", Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new long[$L]", timed.size()).build());
        CodeBlock.Builder names = CodeBlock.builder();
        for (int i = 0; i < timed.size(); i++) names.add(i == 0 ? "$S" : ", $S", timed.get(i));
        type.addMethod(MethodSpec.methodBuilder("layerNames").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(String[].class).addStatement("return new String[] {$L}", names.build()).build());
        type.addMethod(MethodSpec.methodBuilder("layerNanos").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(long[].class).addStatement("return nanos.clone()").build());
        type.addMethod(MethodSpec.methodBuilder("layerNotes").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(String[].class).addStatement("return new String[] {$L}", String.join(", ", notes)).build());
        type.addMethod(MethodSpec.methodBuilder("resetProfile").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addStatement("$T.fill(nanos, 0L)", java.util.Arrays.class).build());
    }

    /** The statement computing {@code n}; null for views, which only rename. */
    private CodeBlock call(Node n, int index) {
        Shape s = n.inputShapes().getFirst();
        int spatial = s.h() * s.w();
        String x = var(n.inputs().getFirst());
        String y = var(n.output());
        String par = runsAlone(n) ? "serial" : "parallel";
        return switch (n.laidOutOp()) {
            case FusedConvOp f -> {
                String k = "conv" + index;
                Choice c = choices.get(n);
                type.addField(FieldSpec.builder(ConvKernel.class, k, setUpFieldModifiers())
                        .addJavadoc("$L: $L ($L)\n", n.name(), c.strategy(), c.reason()).build());
                ActivationOp a = f.activation();
                setUp("$L = $T.byName($S).prepare($L, w.get($S), $T.of(w.get($S), $L, $L, $L), $L)", k,
                        ConvStrategies.class, c.strategy(), RecordLiteral.of(f.conv().geometry(s)), f.convName() + ".weight",
                        Epilogue.class, f.convName() + ".bias", f.residual(),
                        RecordLiteral.value(a == null ? ActivationKind.IDENTITY : a.kind()), a == null ? "0.0" : Double.toString(a.alpha()),
                        c.threads() == 1 ? "serial" : "parallel");
                yield CodeBlock.of("$L.forward($L, $L, $L, BATCH)", k, x, f.residual() ? var(n.inputs().get(1)) : "null", y);
            }
            case DenseOp d -> {
                String k = "dense" + index;
                type.addField(FieldSpec.builder(FastDense.class, k, setUpFieldModifiers()).build());
                setUp("$L = $T.prepare($L, $L, $L, $L, " + par + ")", k, FastDense.class, weight(n, "weight"),
                        d.bias() ? weight(n, "bias") : "null", s.size(), d.units());
                yield CodeBlock.of("$L.forward($L, $L, BATCH)", k, x, y);
            }
            case BatchNormOp b -> CodeBlock.of("$T.batchNorm($L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L, " + par + ")", FastChannelAffine.class, x, s.c(),
                    spatial, weight(n, "weight"), weight(n, "bias"), weight(n, "running_mean"), weight(n, "running_var"),
                    Double.toString(b.eps()), y);
            case LayerNormOp l -> CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L, $L, $L)", LayerNormReference.class, x, s.c(), spatial,
                    weight(n, "weight"), weight(n, "bias"), Double.toString(l.eps()), y);
            case ScaleOp sc -> CodeBlock.of("$T.scale($L, BATCH, $L, $L, $L, $L, " + par + ")", FastChannelAffine.class, x, s.c(), spatial, weight(n, "weight"), y);
            case ShiftOp sh -> CodeBlock.of("$T.shift($L, BATCH, $L, $L, $L, $L, " + par + ")", FastChannelAffine.class, x, s.c(), spatial, weight(n, "weight"), y);
            case PoolOp p -> CodeBlock.of("$T.forward($L, BATCH, $L, $L, " + par + ")",
                    p.kind() == PoolOp.Kind.MAX ? FastMaxPool.class : FastAvgPool.class, x, RecordLiteral.of(p.geometry(s)), y);
            case BlockedOp b -> switch (b.op()) {
                case PoolOp p -> CodeBlock.of("$T.max($L, BATCH, $L, $L, " + par + ")", BlockedPool.class, x, RecordLiteral.of(p.geometry(s)), y);
                case GlobalPoolOp g -> CodeBlock.of("$T.$L($L, BATCH, $L, $L, $L, " + par + ")", BlockedPool.class,
                        g.kind() == PoolOp.Kind.MAX ? "max" : "average", x, s.c(), spatial, y);
            };
            case GlobalPoolOp g -> CodeBlock.of("$T.$L($L, BATCH, $L, $L, $L, " + par + ")", FastGlobalPool.class,
                    g.kind() == PoolOp.Kind.MAX ? "max" : "average", x, s.c(), spatial, y);
            case AdaptiveAvgPoolOp a -> CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L, $L, $L, " + par + ")", FastAdaptiveAvgPool.class, x,
                    s.c(), s.h(), s.w(), a.outH(), a.outW(), y);
            case ActivationOp a -> CodeBlock.of("$T.forward($L, $L, $L, $L, " + par + ")", FastActivation.class, RecordLiteral.value(a.kind()),
                    Double.toString(a.alpha()), x, y);
            case SoftmaxOp sm -> CodeBlock.of("$T.channels($L, BATCH, $L, $L, $L)", SoftmaxReference.class, x, s.c(), spatial, y);
            case FlattenOp f -> null;
            case ReorderOp r -> CodeBlock.of("$T.$L($L, $L, BATCH, $L, $L, " + par + ")", Nchwc.class, r.to() == Layout.NCHW ? "toPlanar" : "toBlocked",
                    x, y, s.c(), spatial);
            case AddOp a -> CodeBlock.of("$T.add($L, $L, $L, " + par + ")", FastElementwise.class, x, var(n.inputs().get(1)), y);
            case MulOp m -> {
                int broadcast = MulOp.broadcastOperand(n.inputShapes());
                Shape o = n.output().shape();
                yield CodeBlock.of("$T.mul($L, $L, BATCH, $L, $L, $L, $L, " + par + ")", FastElementwise.class, var(n.inputs().get(broadcast == 0 ? 1 : 0)),
                        var(n.inputs().get(broadcast == 0 ? 0 : 1)), o.c(), o.h() * o.w(), broadcast >= 0, y);
            }
            case ConcatOp c -> {
                CodeBlock.Builder arrays = CodeBlock.builder();
                CodeBlock.Builder channels = CodeBlock.builder();
                for (int i = 0; i < n.inputs().size(); i++) {
                    arrays.add(i == 0 ? "$L" : ", $L", var(n.inputs().get(i)));
                    channels.add(i == 0 ? "$L" : ", $L", n.inputShapes().get(i).c());
                }
                yield CodeBlock.of("$T.channels(new float[][] {$L}, new int[] {$L}, BATCH, $L, $L)", ConcatReference.class,
                        arrays.build(), channels.build(), spatial, y);
            }
        };
    }

    /** A field holding one weight tensor, looked up once in the constructor. */
    private String weight(Node n, String suffix) {
        String name = n.name() + "." + suffix;
        return weightFields.computeIfAbsent(name, k -> {
            String field = "w" + weightFields.size();
            type.addField(FieldSpec.builder(float[].class, field, setUpFieldModifiers()).build());
            setUp("$L = $T.requireNonNull(w.get($S), $S)", field, java.util.Objects.class, k, "missing weight " + k);
            return field;
        });
    }

    /**
     * The array holding v. The value an output views is written straight into the caller's
     * output array (the first output that views it), so forward allocates and copies nothing;
     * outputs that are graph inputs, or a second view of the same value, are copied at the end.
     */
    private String var(Value v) {
        Value stored = MemoryPlan.storage(v);
        if (memory.slot(stored) >= 0) {
            for (int i = 0; i < graph.outputs().size(); i++) {
                if (MemoryPlan.storage(graph.outputs().get(i)) == stored) return "out" + i;
            }
        }
        int slot = memory.slot(v);
        if (slot >= 0) return "s" + slot;
        while (v.producer() != null) v = v.producer().inputs().getFirst();
        return "in" + graph.inputs().indexOf(v);
    }
}
