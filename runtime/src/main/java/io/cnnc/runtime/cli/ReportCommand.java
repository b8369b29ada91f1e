package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.runtime.io.AtomicFiles;
import io.cnnc.runtime.viz.HtmlReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write one self-contained HTML page about a network: its layers by block (shapes, parameters, MACs, receptive fields, "
                + "strategies), a run's training curves (--run), and with --weights its filters, and for --input its feature maps, saliency and Grad-CAM.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Option(names = "--weights", description = "trained weights (safetensors): adds the first layer's filters")
    Path weights;

    @Option(names = "--run", paramLabel = "DIR", description = "a folder cnnc train wrote: adds its training curves")
    Path run;

    @Option(names = "--input", description = "an image (PNG/JPEG), with --weights: adds its feature maps, saliency map and Grad-CAM")
    Path input;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "report.html", description = "the HTML file to write")
    Path out;

    @Mixin
    NetworkOption network;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        AtomicFiles.checkWritable(out);
        Graph graph = network.load(file);
        if (input != null && weights == null) throw new UserError("--input needs --weights: the pictures of an image come from trained weights");
        if (run != null && !Files.isRegularFile(run.resolve("metrics.csv"))) throw new UserError(run + " has no metrics.csv (give a folder cnnc train wrote)");
        List<HtmlReport.Picture> pictures = new ArrayList<>();
        Path dir = Files.createTempDirectory("cnnc-report");
        try {
            if (weights != null) pictures = pictures(graph, dir);
            String html = HtmlReport.render(graph, run, pictures);
            AtomicFiles.write(out, o -> o.write(html.getBytes(StandardCharsets.UTF_8)));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        spec.commandLine().getOut().println("wrote " + out + " (" + graph.nodes().size() + " layers" + (run != null ? ", training curves" : "")
                + (pictures.isEmpty() ? "" : ", " + pictures.size() + " pictures") + ")");
        return 0;
    }

    /** What cnnc visualize draws, into {@code dir}: filters, and for --input its feature maps, saliency and (where the output is a vector) Grad-CAM. */
    private List<HtmlReport.Picture> pictures(Graph graph, Path dir) throws IOException {
        List<String> args = new ArrayList<>(List.of(file.toString(), "--weights", weights.toString(), "-o", dir.toString()));
        if (network.network != null) args.addAll(List.of("--network", network.network));
        if (input != null) {
            args.addAll(List.of("--input", input.toString()));
            if (graph.outputs().getFirst().shape().isVector()) args.addAll(List.of("--saliency", "--gradcam"));
        }
        StringWriter err = new StringWriter();
        CommandLine visualize = new CommandLine(new VisualizeCommand());
        visualize.setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err));
        // A user error while drawing (a network without a conv) reaches the user as it would from cnnc visualize.
        visualize.setExecutionExceptionHandler((e, cmd, parsed) -> {
            throw e;
        });
        if (visualize.execute(args.toArray(String[]::new)) != 0) throw new UserError("drawing the pictures failed: " + err.toString().strip());
        List<HtmlReport.Picture> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                String name = p.getFileName().toString().replaceFirst("\\.png$", "").replace('_', ' ');
                out.add(new HtmlReport.Picture(name, p));
            }
        }
        return out;
    }
}
