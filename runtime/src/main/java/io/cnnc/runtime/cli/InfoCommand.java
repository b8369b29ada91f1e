package io.cnnc.runtime.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.cnnc.compiler.analysis.ModelSummary;
import io.cnnc.compiler.analysis.SummaryTable;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Shape;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Per-layer table of a network: output shape, parameters, multiply-accumulates, receptive field; totals at the bottom.")
final class InfoCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Mixin
    NetworkOption network;

    @Option(names = "--json", description = "print the same facts as JSON: {\"params\", \"macs\", \"layers\": [...]}, each layer with its tensors' names and shapes")
    boolean json;

    @Option(names = "--erf", description = "also measure the effective receptive field of --layer's centre unit (Luo et al. 2016)")
    boolean erf;

    @Option(names = "--layer", description = "with --erf: the layer (default: the last one with rows and columns)")
    String layer;

    @Option(names = "--weights", description = "with --erf: trained weights (default: fresh ones, --seed)")
    Path weights;

    @Option(names = "--samples", defaultValue = "16", description = "with --erf: random inputs averaged over (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--seed", defaultValue = "0", description = "with --erf: seed of the fresh weights and the random inputs (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--erf-png", paramLabel = "FILE", description = "with --erf: also draw the map as a PNG")
    Path erfPng;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        Graph graph = network.load(file);
        ModelSummary summary = ModelSummary.of(graph);
        spec.commandLine().getOut().print(json ? json(graph, summary) + "\n" : SummaryTable.render(summary));
        if (erf) measureErf(graph, summary);
        return 0;
    }

    private void measureErf(Graph graph, ModelSummary summary) throws java.io.IOException {
        if (samples < 1) throw new UserError("--samples must be at least 1, got " + samples);
        io.cnnc.compiler.ir.Node target = layer != null
                ? graph.nodes().stream().filter(n -> n.name().equals(layer)).findFirst()
                        .orElseThrow(() -> new UserError("no layer named '" + layer + "' in " + graph.name() + " (see the table above)"))
                : graph.nodes().stream().filter(n -> n.output().shape().h() * n.output().shape().w() > 1).reduce((a, b) -> b)
                        .orElseThrow(() -> new UserError(graph.name() + " has no layer with rows and columns"));
        if (target.output().shape().h() * target.output().shape().w() <= 1) {
            throw new UserError("--layer " + target.name() + " has output " + target.output().shape() + ": its unit sees the whole input");
        }
        java.util.Map<String, io.cnnc.runtime.Tensor> params = weights != null
                ? io.cnnc.runtime.weights.WeightBinder.bind(graph, io.cnnc.runtime.io.Safetensors.read(weights), weights)
                : io.cnnc.runtime.weights.WeightInitializer.initialize(graph, seed);
        io.cnnc.runtime.viz.EffectiveReceptiveField.Result r = io.cnnc.runtime.viz.EffectiveReceptiveField.of(graph, params, target, samples, seed);
        io.cnnc.compiler.analysis.ReceptiveField nominal = summary.rows().stream().filter(row -> row.name().equals(target.name())).findFirst()
                .orElseThrow().receptiveField();
        spec.commandLine().getOut().printf(java.util.Locale.ROOT,
                "effective receptive field of %s's centre unit (%s weights, %d random inputs): 95%% of the gradient within %.1f px of (%.1f, %.1f); "
                        + "nominal field %dx%d (%.1f px each way)%n", target.name(), weights != null ? "given" : "fresh", samples, r.radius95(), r.centreY(),
                r.centreX(), nominal.h(), nominal.w(), (Math.max(nominal.h(), nominal.w()) - 1) / 2.0);
        if (erfPng != null) {
            io.cnnc.compiler.ir.Shape in = graph.inputs().getFirst().shape();
            io.cnnc.runtime.viz.HeatMap.write(erfPng, new float[in.h() * in.w()], 1, in.h(), in.w(), r.map(), Math.max(1, 256 / Math.max(in.h(), in.w())),
                    String.format(java.util.Locale.ROOT, "effective receptive field of %s: 95%% within %.1f px", target.name(), r.radius95()));
            spec.commandLine().getOut().println("wrote " + erfPng);
        }
    }

    static String json(Graph graph, ModelSummary s) {
        JsonObject root = new JsonObject();
        root.addProperty("network", s.network());
        JsonArray inputs = new JsonArray();
        for (ModelSummary.Input in : s.inputs()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", in.name());
            o.add("shape", shape(in.shape()));
            inputs.add(o);
        }
        root.add("inputs", inputs);
        root.addProperty("params", s.params());
        root.addProperty("buffers", s.buffers());
        root.addProperty("macs", s.macs());
        java.util.Map<String, JsonArray> tensors = new java.util.HashMap<>();
        for (Graph.NamedParam p : graph.parameters()) {
            JsonObject t = new JsonObject();
            t.addProperty("name", p.name());
            JsonArray dims = new JsonArray();
            for (int d : p.spec().dims()) dims.add(d);
            t.add("shape", dims);
            t.addProperty("learned", p.spec().learned());
            tensors.computeIfAbsent(p.node().name(), k -> new JsonArray()).add(t);
        }
        JsonArray layers = new JsonArray();
        for (ModelSummary.Row r : s.rows()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", r.name());
            o.addProperty("type", r.type());
            JsonArray from = new JsonArray();
            r.inputs().forEach(from::add);
            o.add("inputs", from);
            o.add("output_shape", shape(r.output()));
            o.addProperty("params", r.params());
            o.addProperty("macs", r.macs());
            JsonArray rf = new JsonArray();
            rf.add(r.receptiveField().h());
            rf.add(r.receptiveField().w());
            o.add("receptive_field", rf);
            o.add("tensors", tensors.getOrDefault(r.name(), new JsonArray()));
            layers.add(o);
        }
        root.add("layers", layers);
        return new GsonBuilder().setPrettyPrinting().create().toJson(root);
    }

    private static JsonArray shape(Shape s) {
        JsonArray a = new JsonArray();
        a.add(s.c());
        a.add(s.h());
        a.add(s.w());
        return a;
    }
}
