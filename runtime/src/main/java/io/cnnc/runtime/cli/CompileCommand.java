package io.cnnc.runtime.cli;

import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.codegen.ExplainReport;
import io.cnnc.compiler.codegen.TrainingSourceGenerator;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.TuningCache;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.target.cpu.CpuTarget;
import io.cnnc.compiler.target.tornado.TornadoTarget;
import io.cnnc.compiler.train.TrainingConvStrategies;
import io.cnnc.compiler.train.TrainingMemoryPlan;
import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.runtime.embed.TrainerJar;
import io.cnnc.runtime.embed.ModelJar;
import io.cnnc.runtime.gpu.GpuTarget;
import io.cnnc.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Compile a network for the CPU: fuse, choose a kernel per layer, generate Java.",
                "With -o, package it as a jar an application calls with Model.load().predict(x) (docs/embedding.md)."})
final class CompileCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "model.jar", description = "write a self-contained jar")
    Path output;

    @Option(names = "--explain", description = "print per layer: strategy, why, tiling, expected and measured time; and the memory plan")
    boolean explain;

    @Option(names = "--print-ir", description = "print the IR the generated code computes: after the passes, and for --target cpu the layout choice (docs/compiler.md)")
    boolean printIr;

    @Mixin
    ChoiceOptions choice;

    @Option(names = "--train", description = "print the training plan instead (with -o: package a trainer jar for Trainer.load()): the backward steps, which activations are kept, dropped "
            + "or recomputed and the peak memory at --batch, and the strategy of each convolution's forward and data gradient that "
            + "cnnc train's compiled engine runs (docs/training.md)")
    boolean train;

    @Option(names = "--freeze", paramLabel = "LAYER",
            description = "with --train: keep every layer up to and including LAYER fixed, as cnnc train --freeze does (in the plan and the trainer jar)")
    String freeze;

    @Option(names = "--batch", defaultValue = "1", description = "batch size the buffers are sized for (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--threads", description = "cores to compile for (default: all)")
    Integer threads;

    @Option(names = "--target", defaultValue = "cpu",
            description = "cpu (Java Vector API kernels, the default), tornado (TornadoVM loop kernels and TaskGraph; with --emit-java), "
                    + "opencl or cuda (GPU kernel plan; with --explain or --emit-kernels); see docs/gpu.md")
    Target target;

    enum Target { cpu, tornado, opencl, cuda }

    @Option(names = "--emit-kernels", paramLabel = "DIR",
            description = "with --target opencl|cuda: write the kernel program (NAME.cl or NAME.cu, and NAME.ptx when nvcc is here) and the plan (NAME.plan.txt)")
    Path emitKernels;

    @Option(names = "--emit-java", paramLabel = "Model.java", description = "also write the generated Java source (with --train: the training step's)")
    Path emitJava;

    @Mixin
    NetworkOption network;

    @Mixin
    WeightsOption weights;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (output != null) AtomicFiles.checkWritable(output);
        if (emitJava != null) AtomicFiles.checkWritable(emitJava);
        io.cnnc.compiler.CompiledFile compiled = Models.compile(file);
        Graph graph = Models.pick(compiled, network.network);
        PrintWriter out = spec.commandLine().getOut();
        if (batch < 1) throw new UserError("--batch must be at least 1");
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) throw new UserError("--threads must be at least 1");
        if (freeze != null && !train) throw new UserError("--freeze goes with --train");
        if (train) {
            if (emitKernels != null || target != Target.cpu) {
                throw new UserError("--train prints the CPU training plan (and with -o packages a trainer); it takes no --emit-kernels or --target");
            }
            // The file's train section's optimizer (or the defaults cnnc train would use): the plan's update step.
            var rule = io.cnnc.runtime.train.TrainingOptions.resolve(compiled.train(graph.name()).orElse(null),
                    io.cnnc.runtime.train.TrainingOptions.Overrides.NONE).updateRule();
            java.util.Set<String> frozen;
            try {
                frozen = freeze == null ? java.util.Set.of() : TrainingPlan.frozenUpTo(graph, freeze);
            } catch (IllegalArgumentException e) {
                throw new UserError("--freeze: " + e.getMessage());
            }
            TrainingPlan plan = TrainingPlan.derive(graph, frozen, rule);
            if (output != null) {
                // The recipe's batch, and --batch where given: the sizes a runtime without a Java compiler can train at.
                var recipe = io.cnnc.runtime.train.TrainingOptions.resolve(compiled.train(graph.name()).orElse(null),
                        io.cnnc.runtime.train.TrainingOptions.Overrides.NONE);
                java.util.SortedSet<Integer> batches = new java.util.TreeSet<>(java.util.List.of(recipe.batch()));
                if (spec.commandLine().getParseResult().hasMatchedOption("--batch")) batches.add(batch);
                TrainerJar.write(output, compiled.source(), graph, weights.load(graph, spec.commandLine().getErr()), freeze, recipe, batches, t);
                out.printf("%s: trainer for %s written (Trainer.load(), step(images, labels), save(path): docs/embedding.md)%n", output, graph.name());
                return 0;
            }
            out.print(plan.print());
            out.print(TrainingMemoryPlan.of(plan).print(batch));
            var choices = choice.tune
                    ? io.cnnc.runtime.train.TrainingTuner.tune(graph, weights.load(graph, spec.commandLine().getErr()), frozen,
                            batch, t, name -> true, io.cnnc.compiler.schedule.TuningCache.open(choice.tuningCache != null ? choice.tuningCache
                                    : io.cnnc.compiler.schedule.TuningCache.defaultLocation()), out)
                    : TrainingConvStrategies.choose(plan, Machine.detect(), t);
            out.print(explain ? TrainingConvStrategies.explain(choices) : TrainingConvStrategies.print(choices));
            out.print(io.cnnc.compiler.train.TrainingLayouts.choose(plan, choices).explain());
            if (emitJava != null) {
                // The class cnnc train generates and runs for this batch (and the file's optimizer).
                String source = new TrainingSourceGenerator(plan, TrainingMemoryPlan.of(plan), choices, batch,
                        TrainingSourceGenerator.classNameFor(graph.name(), batch)).generate().toString();
                AtomicFiles.write(emitJava, o -> o.write(source.getBytes(StandardCharsets.UTF_8)));
                out.println("wrote " + emitJava);
            }
            return 0;
        }
        var params = CompiledEngine.raw(weights.load(graph, spec.commandLine().getErr()));
        if (target == Target.opencl || target == Target.cuda) {
            FrontHalf front = FrontHalf.of(graph);
            int code = GpuCompile.run(front, params, batch, target == Target.opencl ? GpuTarget.OPENCL : GpuTarget.CUDA, explain, emitKernels,
                    output != null || emitJava != null || choice.tune, out);
            if (printIr) out.print(IrPrinter.print(front.planar()));
            return code;
        }
        if (emitKernels != null) throw new UserError("--emit-kernels needs --target opencl or cuda");
        if (target == Target.tornado) return tornado(graph, out);
        long start = System.nanoTime();
        Calibrating.ensure(spec.commandLine().getErr());
        CompiledModel model = new CpuTarget(choice.options(batch, t)).compile(FrontHalf.of(graph), params);
        model.classes();
        double ms = (System.nanoTime() - start) / 1e6;
        out.printf(Locale.ROOT, "%s: compiled in %.0f ms (%d convolutions, %d nodes after fusion)%n", graph.name(), ms,
                model.choices().size(), model.optimized().nodes().size());
        if (printIr) out.print(IrPrinter.print(model.optimized()));
        if (explain) out.print(ExplainReport.render(model));
        if (emitJava != null) {
            byte[] text = model.javaSource().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(emitJava, o -> o.write(text));
            out.println("wrote " + emitJava);
        }
        if (output != null) {
            ModelJar.write(output, model);
            out.println("wrote " + output + " (run with: java --add-modules jdk.incubator.vector -cp " + output + ":app.jar ...)");
        }
        return 0;
    }

    /** The Tornado target reads the planar graph only: no CPU strategy choice, no javac. */
    private int tornado(Graph graph, PrintWriter out) throws IOException {
        if (output != null) throw new UserError("--target tornado writes Java source (--emit-java), not a jar");
        if (emitJava == null) throw new UserError("--target tornado needs --emit-java Model.java: TornadoVM compiles that source at run time");
        long start = System.nanoTime();
        FrontHalf front = FrontHalf.of(graph);
        String source;
        try {
            source = new TornadoTarget(batch, true).compile(front, Map.of()).toString();
        } catch (UnsupportedOperationException e) {
            throw new UserError(e.getMessage());
        }
        long convs = front.planar().nodes().stream().filter(n -> n.op() instanceof FusedConvOp).count();
        out.printf(Locale.ROOT, "%s: compiled in %.0f ms (%d convolutions, %d nodes after fusion)%n", graph.name(),
                (System.nanoTime() - start) / 1e6, convs, front.planar().nodes().size());
        if (printIr) out.print(IrPrinter.print(front.planar()));
        AtomicFiles.write(emitJava, o -> o.write(source.getBytes(StandardCharsets.UTF_8)));
        out.println("wrote " + emitJava + " (TornadoVM kernels and TaskGraph; build with -Ptornado, run with the tornado launcher: docs/gpu.md)");
        return 0;
    }
}
