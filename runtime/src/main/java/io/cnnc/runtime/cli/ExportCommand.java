package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.AtomicFiles;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.onnx.ImportException;
import io.cnnc.runtime.onnx.OnnxExporter;
import io.cnnc.runtime.weights.WeightBinder;
import io.cnnc.runtime.weights.WeightInitializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a network and its weights as an ONNX model (opset " + OnnxExporter.OPSET + ") for ONNX Runtime and other tools.")
final class ExportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL.onnx")
    Path output;

    @Option(names = "--weights", paramLabel = "w.safetensors", description = "trained weights (default: fresh initialisation from --seed)")
    Path weights;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Mixin
    NetworkOption network;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        AtomicFiles.checkWritable(output);
        Graph graph = network.load(file);
        Map<String, Tensor> params = weights != null
                ? WeightBinder.bind(graph, Safetensors.read(weights), weights)
                : WeightInitializer.initialize(graph, seed);
        byte[] model;
        try {
            model = OnnxExporter.export(graph, params);
        } catch (ImportException e) {
            throw new UserError(file + ": cannot export " + graph.name() + ": " + e.getMessage());
        }
        AtomicFiles.write(output, out -> out.write(model));
        spec.commandLine().getOut().printf("wrote %s (%s, opset %d, %,d bytes)%n", output, graph.name(), OnnxExporter.OPSET, model.length);
        return 0;
    }
}
