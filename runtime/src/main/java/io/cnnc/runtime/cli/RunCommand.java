package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.SoftmaxOp;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.exec.ReferenceExecutor;
import io.cnnc.runtime.gpu.GpuTarget;
import io.cnnc.runtime.io.ImageInput;
import io.cnnc.runtime.io.AtomicFiles;
import io.cnnc.runtime.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a network on an input (.npy with shape [C,H,W] or [N,C,H,W], or a PNG/JPEG image) and print the output (top-5 for classifiers).")
final class RunCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Option(names = "--input", required = true, paramLabel = "x.npy|image.png",
            description = "input tensor or image; repeat for networks with several inputs, in declaration order")
    List<Path> inputs;

    @Mixin
    WeightsOption weights;

    @Option(names = "--output", paramLabel = "y.npy",
            description = "also write the output as .npy; a network with several outputs takes one --output per output, in its order (fewer write the first ones)")
    List<Path> outputs = new ArrayList<>();

    @Mixin
    NetworkOption network;

    @Option(names = "--engine", defaultValue = "compiled",
            description = "compiled (optimized passes, chosen kernels, generated code) or reference (plain loops, double sums); default: ${DEFAULT-VALUE}")
    Engine engine;

    @Option(names = "--threads", description = "cores for the compiled engine (default: all)")
    Integer threads;

    @Mixin
    ChoiceOptions choice;

    enum Engine { compiled, reference }

    @Option(names = "--target", defaultValue = "cpu",
            description = "cpu (the --engine), opencl or cuda (the GPU kernels, docs/gpu.md; cnnc devices lists what is here); default: ${DEFAULT-VALUE}")
    Target target;

    enum Target { cpu, opencl, cuda }

    @Option(names = "--profile", description = "time the forward pass and each layer (CPU: inside the generated code, with the strategy chosen per conv; opencl|cuda: on the device, with the plan)")
    boolean profile;

    @Option(names = "--mean", split = ",", paramLabel = "M", description = "per-channel mean subtracted from image inputs, e.g. 0.485,0.456,0.406")
    float[] mean;

    @Option(names = "--std", split = ",", paramLabel = "S", description = "per-channel std dividing image inputs, e.g. 0.229,0.224,0.225")
    float[] std;

    @Option(names = "--top", defaultValue = "5", description = "how many classes to print for a classifier (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--labels", paramLabel = "labels.txt", description = "class names, one per line, for the top-k listing")
    Path labels;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        for (Path output : outputs) AtomicFiles.checkWritable(output);
        Graph graph = network.load(file);
        if (outputs.size() > graph.outputs().size()) {
            throw new UserError(graph.name() + " has " + graph.outputs().size() + " output(s), " + outputs.size() + " given with --output");
        }
        if (inputs.size() != graph.inputs().size()) {
            throw new UserError(graph.name() + " takes " + graph.inputs().size() + " input(s), " + inputs.size() + " given with --input");
        }
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) tensors.add(loadInput(inputs.get(i), graph.inputs().get(i)));
        int batch = tensors.getFirst().dim(0);
        for (Tensor t : tensors) {
            if (t.dim(0) != batch) throw new UserError("inputs have different batch sizes: " + batch + " and " + t.dim(0));
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Tensor> params = weights.load(graph, spec.commandLine().getErr());
        if (target != Target.cpu && engine == Engine.reference) throw new UserError("--engine reference runs on the CPU; drop it or --target " + target);
        if (engine == Engine.reference && profile) throw new UserError("--profile times the compiled engine; drop --engine reference");
        if (target == Target.cpu && engine != Engine.reference) Calibrating.ensure(spec.commandLine().getErr());
        List<Tensor> results = switch (target) {
            case opencl -> GpuEngine.run(graph, params, tensors, GpuTarget.OPENCL, profile, out);
            case cuda -> GpuEngine.run(graph, params, tensors, GpuTarget.CUDA, profile, out);
            case cpu -> engine == Engine.reference ? new ReferenceExecutor(graph, params).run(tensors)
                    : CompiledEngine.run(graph, params, tensors,
                            choice.options(batch, threads == null ? Runtime.getRuntime().availableProcessors() : threads), profile ? out : null);
        };
        Tensor y = results.getFirst();
        Value outValue = graph.outputs().getFirst();
        out.println(graph.name() + ": output " + y.shapeString());
        if (isClassifier(outValue.shape())) {
            boolean probabilities = outValue.producer() != null && outValue.producer().op() instanceof SoftmaxOp;
            printTopK(out, y, probabilities, readLabels());
        } else {
            printSummary(out, y);
        }
        for (int i = 1; i < results.size(); i++) {
            out.println(graph.name() + ": output " + (i + 1) + " (" + graph.outputs().get(i).label() + ") " + results.get(i).shapeString());
            printSummary(out, results.get(i));
        }
        for (int i = 0; i < outputs.size(); i++) {
            Npy.write(outputs.get(i), results.get(i));
            out.println("wrote " + outputs.get(i));
        }
        return 0;
    }

    private Tensor loadInput(Path path, Value input) throws IOException {
        if (!Files.isRegularFile(path)) throw new UserError(path + ": no such file");
        Shape s = input.shape();
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) {
            Tensor t = Npy.read(path);
            Tensor fitted = InputShapes.fit(path, t, input);
            FiniteInput.require(path, t.data(), t.shape());
            return fitted;
        }
        if (s.c() != 1 && s.c() != 3) {
            throw new UserError("input '" + input.label() + "' has " + s.c() + " channels; images can feed only 1 or 3");
        }
        Tensor image = ImageInput.load(path, s.c(), s.h(), s.w());
        if (mean != null || std != null) {
            image = ImageInput.normalize(image, channels(mean, 0f, s.c(), "--mean"), channels(std, 1f, s.c(), "--std"));
        }
        FiniteInput.require(path, image.data(), image.shape());
        return image;
    }

    private static float[] channels(float[] given, float fill, int c, String flag) {
        if (given == null) {
            float[] out = new float[c];
            java.util.Arrays.fill(out, fill);
            return out;
        }
        if (given.length == 1 && c > 1) {
            float[] out = new float[c];
            java.util.Arrays.fill(out, given[0]);
            return channels(out, fill, c, flag);
        }
        if (given.length != c) throw new UserError(flag + " needs " + c + " values, got " + given.length);
        for (float v : given) {
            if (!Float.isFinite(v) || flag.equals("--std") && v == 0) {
                throw new UserError(flag + " values must be finite" + (flag.equals("--std") ? " and non-zero" : "") + ", not " + v);
            }
        }
        return given;
    }

    private List<String> readLabels() throws IOException {
        if (labels == null) return List.of();
        if (!Files.isRegularFile(labels)) throw new UserError(labels + ": no such file");
        return Files.readAllLines(labels);
    }

    static boolean isClassifier(Shape s) {
        return s.isVector() && s.c() > 1;
    }

    private void printTopK(PrintWriter out, Tensor y, boolean probabilities, List<String> names) {
        int n = y.dim(0);
        int k = y.dim(1);
        float[] d = y.data();
        for (int b = 0; b < n; b++) {
            double[] p = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) max = Math.max(max, d[b * k + i]);
            double sum = 0;
            for (int i = 0; i < k; i++) {
                p[i] = probabilities ? d[b * k + i] : Math.exp(d[b * k + i] - max);
                sum += p[i];
            }
            Integer[] order = new Integer[k];
            for (int i = 0; i < k; i++) order[i] = i;
            int row = b * k;
            java.util.Arrays.sort(order, (i, j) -> Float.compare(d[row + j], d[row + i]));
            if (n > 1) out.println("sample " + b + ":");
            out.printf(Locale.ROOT, "  %-6s %-20s %12s %10s%n", "rank", "class", probabilities ? "output" : "logit", "prob");
            for (int r = 0; r < Math.min(top, k); r++) {
                int c = order[r];
                String label = c < names.size() ? c + " " + names.get(c) : Integer.toString(c);
                out.printf(Locale.ROOT, "  %-6d %-20s %12.6f %10.6f%n", r + 1, label, d[b * k + c], p[c] / sum);
            }
        }
    }

    private static void printSummary(PrintWriter out, Tensor y) {
        float[] d = y.data();
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : d) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        out.printf(Locale.ROOT, "  min %.6g  max %.6g  mean %.6g%n", min, max, sum / d.length);
        StringBuilder first = new StringBuilder("  first values:");
        for (int i = 0; i < Math.min(8, d.length); i++) first.append(String.format(Locale.ROOT, " %.6g", d[i]));
        out.println(first);
    }
}
