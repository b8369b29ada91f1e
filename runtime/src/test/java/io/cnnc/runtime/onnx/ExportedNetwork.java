package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess;
import io.cnnc.runtime.exec.ReferenceExecutor;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.weights.WeightBinder;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A network written to a .cnn file, given seeded weights and exported with {@code cnnc export}:
 * where the ONNX round-trip tests start. Its reference output is what ONNX Runtime and the
 * re-imported network must give.
 */
record ExportedNetwork(Graph graph, Map<String, Tensor> params, Path weights, Path onnx) {

    static ExportedNetwork export(Path dir, String name, String source, long seed) throws Exception {
        Path cnn = dir.resolve(name + ".cnn");
        Files.writeString(cnn, source);
        Graph graph = Compiler.compile(SourceFile.read(cnn)).networks().getFirst();
        Map<String, Tensor> params = WeightInitializer.initialize(graph, seed);
        Path weights = dir.resolve(name + ".safetensors");
        Safetensors.write(weights, params, Map.of());
        Path onnx = dir.resolve(name + ".onnx");
        CliTestAccess.Result r = CliTestAccess.cnnc("export", cnn.toString(), "--weights", weights.toString(), "-o", onnx.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return new ExportedNetwork(graph, params, weights, onnx);
    }

    /** The reference executor's output on {@code x}, with the weights bound as the exporter read them. */
    float[] reference(Tensor x) throws Exception {
        return new ReferenceExecutor(graph, WeightBinder.bind(graph, params, weights)).run(List.of(x)).getFirst().data();
    }

    /** {@code cnnc import} of the exported file into {@code back.cnn} in {@code dir} (its weights beside it). */
    Path importBack(Path dir) {
        Path back = dir.resolve("back.cnn");
        CliTestAccess.Result imported = CliTestAccess.cnnc("import", onnx.toString(), "-o", back.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        return back;
    }

    /** The reference executor's output on {@code x} of an imported network ({@code back.cnn}, its weights beside it). */
    static float[] runImported(Path back, Tensor x) throws Exception {
        Graph again = Compiler.compile(SourceFile.read(back)).networks().getFirst();
        Path weights = back.resolveSibling(back.getFileName().toString().replaceFirst("\\.cnn$", ".safetensors"));
        return new ReferenceExecutor(again, WeightBinder.bind(again, Safetensors.read(weights), weights)).run(List.of(x)).getFirst().data();
    }
}
