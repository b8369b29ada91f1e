package io.cnnc.compiler.codegen;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeSpec;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.CpuCode;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.plan.MemoryPlan;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import io.cnnc.kernels.cpu.conv.ConvKernel;
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
    /**
     * Whether the cost model runs every conv on one thread (ResNet-20 at batch 1): then the
     * other ops do too, so that the network never pays a hand-over for the little a shared-out
     * add or pooling saves, and runs on two threads as it runs on one (issue 23: on a Zen 3,
     * ResNet-20 on two threads took 2.09 of ONNX Runtime's time against 1.19 on one).
     */
    private final boolean everyConvAlone;
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
        this.everyConvAlone = !choices.isEmpty() && choices.values().stream().allMatch(c -> c.threads() == 1);
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
        return everyConvAlone || runsAlone(n, batch);
    }

    /** Whether {@code n} at {@code batch} touches too few elements to share out ({@link #SERIAL_ELEMENTS}). */
    static boolean runsAlone(Node n, int batch) {
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
        return n.laidOutOp().cpu(new Code(n, index));
    }

    /** The generated class's names for one node's arrays and tensors. */
    private final class Code implements CpuCode {

        private final Node node;
        private final int index;

        Code(Node node, int index) {
            this.node = node;
            this.index = index;
        }

        @Override
        public Node node() {
            return node;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public String input(int i) {
            return var(node.inputs().get(i));
        }

        @Override
        public String y() {
            return var(node.output());
        }

        @Override
        public String weight(String suffix) {
            return ModelSourceGenerator.this.weight(node, suffix);
        }

        @Override
        public String threads() {
            return runsAlone(node) ? "serial" : "parallel";
        }

        @Override
        public Choice choice() {
            return choices.get(node);
        }

        @Override
        public void field(Class<?> fieldType, String name, String javadoc) {
            FieldSpec.Builder field = FieldSpec.builder(fieldType, name, setUpFieldModifiers());
            if (javadoc != null) field.addJavadoc("$L", javadoc);
            type.addField(field.build());
        }

        @Override
        public void setUp(String format, Object... args) {
            ModelSourceGenerator.this.setUp(format, args);
        }
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
