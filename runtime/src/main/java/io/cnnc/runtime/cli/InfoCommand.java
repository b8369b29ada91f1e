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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Graph graph = network.load(file);
        ModelSummary summary = ModelSummary.of(graph);
        spec.commandLine().getOut().print(json ? json(graph, summary) + "\n" : SummaryTable.render(summary));
        return 0;
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
