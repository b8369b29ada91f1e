package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ops.ConvOp;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.AtomicFiles;
import io.cnnc.runtime.io.ImageInput;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.train.GraphTrainer;
import io.cnnc.runtime.viz.TileGrid;
import io.cnnc.runtime.weights.WeightBinder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "visualize", mixinStandardHelpOptions = true,
        description = "Write PNGs of what a network learned: the first convolution's filters, and with --input, "
                + "the feature maps of --layer for that image and, with --saliency, which of its pixels drove the class.")
final class VisualizeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Option(names = "--weights", required = true, description = "trained weights (safetensors)")
    Path weights;

    @Option(names = "--input", description = "an image (PNG/JPEG) whose feature maps to draw")
    Path input;

    @Option(names = "--layer", description = "layer whose output to draw (a name from 'cnnc info'; default: the first conv)")
    String layer;

    @Option(names = {"-o", "--out"}, defaultValue = "visualize", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--saliency", description = "also draw the saliency map: the gradient of the class's output with respect to the input pixels")
    boolean saliency;

    @Option(names = "--gradcam", description = "also draw the Grad-CAM of --layer (default: the last layer with rows and columns that is not a pooling) for the class")
    boolean gradcam;

    @Option(names = "--class", paramLabel = "K", description = "the class the saliency map and Grad-CAM explain (default: the top one)")
    Integer classIndex;

    @Option(names = "--smoothgrad", paramLabel = "N", defaultValue = "1",
            description = "average the saliency over N copies of the image with noise (SmoothGrad; default: ${DEFAULT-VALUE}, the plain gradient)")
    int smoothgrad;

    @Option(names = "--labels", paramLabel = "labels.txt", description = "class names, one per line, for the maps' titles")
    Path labels;

    @Mixin
    NetworkOption network;

    /** --labels' lines, read once for the maps' titles. */
    private java.util.List<String> names;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Graph graph = network.load(file);
        Map<String, Tensor> params = WeightBinder.bind(graph, Safetensors.read(weights), weights);
        Node firstConv = graph.nodes().stream().filter(n -> n.op() instanceof ConvOp).findFirst()
                .orElseThrow(() -> new UserError(graph.name() + " has no convolution to draw filters of"));
        Tensor w = params.get(firstConv.name() + ".weight");
        int outC = w.dim(0);
        int inC = w.dim(1);
        int kh = w.dim(2);
        int kw = w.dim(3);
        float[][][] filters = new float[outC * (inC == 3 ? 1 : inC)][][];
        String[] names = new String[filters.length];
        for (int o = 0, t = 0; o < outC; o++) {
            if (inC == 3) {
                names[t] = "out " + o;
                filters[t++] = new float[][] {plane(w.data(), (o * 3) * kh * kw, kh * kw), plane(w.data(), (o * 3 + 1) * kh * kw, kh * kw),
                        plane(w.data(), (o * 3 + 2) * kh * kw, kh * kw)};
            } else {
                for (int i = 0; i < inC; i++) {
                    names[t] = inC == 1 ? "out " + o : o + "<-" + i;
                    filters[t++] = new float[][] {plane(w.data(), (o * inC + i) * kh * kw, kh * kw)};
                }
            }
        }
        AtomicFiles.createFolder(out);
        Path filtersPng = out.resolve("filters_" + firstConv.name() + ".png");
        TileGrid.write(filtersPng, filters, names, kh, kw, Math.max(4, 48 / Math.max(kh, kw)),
                firstConv.name() + ": " + outC + " filters " + kh + "x" + kw + (inC == 3 ? " (RGB)" : inC == 1 ? "" : " (output <- input channel)"));
        spec.commandLine().getOut().println("wrote " + filtersPng + " (" + filters.length + " filters of " + firstConv.name() + ")");
        if (input != null) {
            Node target = layer == null ? firstConv : graph.nodes().stream().filter(n -> n.name().equals(layer)).findFirst()
                    .orElseThrow(() -> new UserError("no layer named '" + layer + "' in " + graph.name() + " (see cnnc info)"));
            Shape in = graph.inputs().getFirst().shape();
            ImageInput.Loaded loaded = ImageInput.loadSized(input, in.c(), in.h(), in.w());
            Tensor image = loaded.tensor();
            if (loaded.resized()) {
                // Resized as cnnc run resizes (PyTorch's bilinear interpolate); the pictures are at the network's size.
                spec.commandLine().getErr().println("note: " + input + " is " + loaded.fileWidth() + "x" + loaded.fileHeight() + " (width x height); resized to "
                        + in.w() + "x" + in.h() + ", the size " + graph.name() + " takes, before it is explained");
            }
            GraphTrainer net = new GraphTrainer(graph, params, 0, Set.of());
            net.keepOutputs();
            net.forward(image.data(), 1, false);
            float[] maps = net.outputOf(target);
            Shape s = target.output().shape();
            float[][][] tiles = new float[s.c()][][];
            String[] channels = new String[s.c()];
            for (int c = 0; c < s.c(); c++) {
                tiles[c] = new float[][] {plane(maps, c * s.h() * s.w(), s.h() * s.w())};
                channels[c] = "ch " + c;
            }
            Path mapsPng = out.resolve("features_" + target.name() + ".png");
            TileGrid.write(mapsPng, tiles, channels, s.h(), s.w(), Math.max(1, 96 / Math.max(s.h(), s.w())),
                    target.name() + ": " + s.c() + " feature maps " + s.h() + "x" + s.w() + " of " + input.getFileName());
            spec.commandLine().getOut().println("wrote " + mapsPng + " (" + s.c() + " feature maps of " + target.name() + ", " + s + ")");
            if (saliency || gradcam) checkClass(graph);
            if (saliency) writeSaliency(graph, params, image);
            if (gradcam) writeGradCam(graph, params, image);
        } else if (saliency || gradcam) {
            throw new UserError((saliency ? "--saliency" : "--gradcam") + " needs --input, the image to explain");
        }
        return 0;
    }

    private void checkClass(Graph graph) {
        if (smoothgrad < 1) throw new UserError("--smoothgrad must be at least 1, got " + smoothgrad);
        int classes = Math.toIntExact(graph.outputs().getFirst().shape().size());
        if (classIndex != null && (classIndex < 0 || classIndex >= classes)) {
            throw new UserError("--class " + classIndex + " is out of range: " + graph.name() + " has " + classes + " classes (0 to " + (classes - 1) + ")");
        }
    }

    private void writeSaliency(Graph graph, Map<String, Tensor> params, Tensor image) throws IOException {
        io.cnnc.runtime.viz.Saliency.Result r = io.cnnc.runtime.viz.Saliency.of(graph, params, image, classIndex, smoothgrad, 0);
        String title = (smoothgrad > 1 ? "SmoothGrad (" + smoothgrad + " samples)" : "saliency") + " for " + describe(r.classIndex(), r.outputs());
        drawOver(graph, image, r.map(), "saliency_class" + r.classIndex() + ".png", title);
    }

    /**
     * The Grad-CAM at --layer, or at the last layer before the pooling that still has rows and
     * columns (as Selvaraju et al. take the last convolutional layer: after a pooling the map is
     * coarser, and LeNet-5's 5 x 5 one put its mass beside the digit).
     */
    private void writeGradCam(Graph graph, Map<String, Tensor> params, Tensor image) throws IOException {
        Node target = layer != null ? graph.nodes().stream().filter(n -> n.name().equals(layer)).findFirst().orElseThrow()
                : graph.nodes().stream().filter(n -> n.output().shape().h() * n.output().shape().w() > 1 && !(n.op() instanceof io.cnnc.compiler.ops.PoolOp))
                        .reduce((a, b) -> b)
                        .orElseThrow(() -> new UserError(graph.name() + " has no layer with a spatial output for a Grad-CAM"));
        if (target.output().shape().h() * target.output().shape().w() <= 1) {
            throw new UserError("--layer " + target.name() + " has output " + target.output().shape() + ": a Grad-CAM needs rows and columns");
        }
        io.cnnc.runtime.viz.GradCam.Result r = io.cnnc.runtime.viz.GradCam.of(graph, params, image, classIndex, target);
        drawOver(graph, image, r.upsampled(), "gradcam_" + target.name() + "_class" + r.classIndex() + ".png",
                "Grad-CAM at " + target.name() + " for " + describe(r.classIndex(), r.outputs()));
    }

    private String describe(int k, float[] outputs) throws IOException {
        if (names == null) names = labels == null ? java.util.List.of() : java.nio.file.Files.readAllLines(labels);
        String name = k < names.size() ? " (" + names.get(k).strip() + ")" : "";
        return "class " + k + name + String.format(java.util.Locale.ROOT, ", output %.3g", outputs[k]);
    }

    private void drawOver(Graph graph, Tensor image, float[] map, String file, String title) throws IOException {
        Shape in = graph.inputs().getFirst().shape();
        Path png = out.resolve(file);
        io.cnnc.runtime.viz.HeatMap.write(png, image.data(), in.c(), in.h(), in.w(), map, Math.max(1, 224 / Math.max(in.h(), in.w())), title);
        spec.commandLine().getOut().println("wrote " + png + " (" + title + ")");
    }

    private static float[] plane(float[] data, int offset, int length) {
        return java.util.Arrays.copyOfRange(data, offset, offset + length);
    }
}
