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
                + "the feature maps of --layer for that image.")
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

    @Mixin
    NetworkOption network;

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
        for (int o = 0, t = 0; o < outC; o++) {
            if (inC == 3) {
                filters[t++] = new float[][] {plane(w.data(), (o * 3) * kh * kw, kh * kw), plane(w.data(), (o * 3 + 1) * kh * kw, kh * kw),
                        plane(w.data(), (o * 3 + 2) * kh * kw, kh * kw)};
            } else {
                for (int i = 0; i < inC; i++) filters[t++] = new float[][] {plane(w.data(), (o * inC + i) * kh * kw, kh * kw)};
            }
        }
        AtomicFiles.createFolder(out);
        Path filtersPng = out.resolve("filters_" + firstConv.name() + ".png");
        TileGrid.write(filtersPng, filters, kh, kw, Math.max(4, 48 / Math.max(kh, kw)));
        spec.commandLine().getOut().println("wrote " + filtersPng + " (" + filters.length + " filters of " + firstConv.name() + ")");
        if (input != null) {
            Node target = layer == null ? firstConv : graph.nodes().stream().filter(n -> n.name().equals(layer)).findFirst()
                    .orElseThrow(() -> new UserError("no layer named '" + layer + "' in " + graph.name() + " (see cnnc info)"));
            Shape in = graph.inputs().getFirst().shape();
            Tensor image = ImageInput.load(input, in.c(), in.h(), in.w());
            GraphTrainer net = new GraphTrainer(graph, params, 0, Set.of());
            net.keepOutputs();
            net.forward(image.data(), 1, false);
            float[] maps = net.outputOf(target);
            Shape s = target.output().shape();
            float[][][] tiles = new float[s.c()][][];
            for (int c = 0; c < s.c(); c++) tiles[c] = new float[][] {plane(maps, c * s.h() * s.w(), s.h() * s.w())};
            Path mapsPng = out.resolve("features_" + target.name() + ".png");
            TileGrid.write(mapsPng, tiles, s.h(), s.w(), Math.max(1, 96 / Math.max(s.h(), s.w())));
            spec.commandLine().getOut().println("wrote " + mapsPng + " (" + s.c() + " feature maps of " + target.name() + ", " + s + ")");
        }
        return 0;
    }

    private static float[] plane(float[] data, int offset, int length) {
        return java.util.Arrays.copyOfRange(data, offset, offset + length);
    }
}
