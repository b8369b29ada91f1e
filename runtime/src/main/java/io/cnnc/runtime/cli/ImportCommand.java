package io.cnnc.runtime.cli;

import io.cnnc.compiler.CompiledFile;
import io.cnnc.compiler.Compiler;
import io.cnnc.dsl.CompileException;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.io.AtomicFiles;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.onnx.ImportException;
import io.cnnc.runtime.onnx.OnnxImporter;
import io.cnnc.runtime.onnx.OnnxReader;
import io.cnnc.runtime.weights.WeightBinder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Translate an ONNX model into a .cnn file and its weights beside it (-o net.cnn writes net.safetensors). "
                + "Every unsupported op is listed in one error and nothing is written.")
final class ImportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL.onnx", description = "the ONNX model")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "NET.cnn", description = "the .cnn file to write")
    Path output;

    @Option(names = "--name", description = "network name (default: from the output file name)")
    String name;

    @Option(names = "--input-shape", split = ",", paramLabel = "C,H,W",
            description = "sizes for an input the model leaves symbolic (the batch always stays free)")
    int[] inputShape;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String file = output.getFileName().toString();
        if (!file.endsWith(".cnn")) throw new UserError(output + ": the output must end in .cnn");
        String base = file.substring(0, file.length() - 4);
        Path weights = output.resolveSibling(base + ".safetensors");
        // Both outputs are checked before either is written.
        AtomicFiles.checkWritable(output);
        AtomicFiles.checkWritable(weights);
        String network = name != null ? name : networkName(base);
        OnnxImporter.Result result;
        try {
            result = OnnxImporter.translate(OnnxReader.read(model), network, inputShape);
        } catch (ImportException e) {
            throw new UserError(model + ": " + e.getMessage());
        }
        // Check the translation as any .cnn file is checked before writing anything.
        try {
            CompiledFile compiled = Compiler.compile(new SourceFile(output.toString(), result.source()));
            WeightBinder.bind(compiled.networks().getFirst(), result.weights(), model);
        } catch (CompileException e) {
            throw new UserError(model + ": the translation does not compile (please report this):\n" + e.diagnostics().render());
        }
        Safetensors.write(weights, result.weights(), Map.of("source", model.getFileName().toString(), "format", "cnnc"));
        AtomicFiles.write(output, out -> out.write(result.source().getBytes(StandardCharsets.UTF_8)));
        spec.commandLine().getOut().printf("wrote %s and %s (%d tensors)%n", output, weights, result.weights().size());
        return 0;
    }

    /** A valid network name from a file name: letters, digits and underscores, starting with a letter. */
    static String networkName(String base) {
        String n = base.replaceAll("[^A-Za-z0-9_]", "_");
        if (n.isEmpty() || !Character.isLetter(n.charAt(0))) n = "Net_" + n;
        return n;
    }
}
