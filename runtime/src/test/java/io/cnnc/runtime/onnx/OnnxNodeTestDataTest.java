package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.CompileException;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.exec.ReferenceExecutor;
import io.cnnc.kernels.OnnxModel;
import io.cnnc.kernels.OnnxModel.*;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * ONNX's own operator tests (Debian's libonnx-testdata, installed by scripts/fetch-data.sh): every
 * conv, pooling, batch-norm, gemm, softmax and activation case is imported and run. Weights and
 * other inputs after the first are constants of the test, so they become initializers. A case
 * that imports must match ONNX's expected output (rtol 1e-3, atol 1e-5, ONNX's own backend-test
 * tolerances being rtol 1e-3); a case that cannot be imported is counted with its reason.
 */
class OnnxNodeTestDataTest {

    private static final Path ROOT = Path.of("/usr/share/libonnx-testdata/data/node");
    private static final List<String> FAMILIES = List.of("test_conv", "test_maxpool", "test_averagepool", "test_batchnorm",
            "test_gemm", "test_softmax", "test_relu", "test_leakyrelu", "test_sigmoid", "test_tanh", "test_hardswish",
            "test_hardsigmoid", "test_clip", "test_globalaveragepool", "test_globalmaxpool", "test_resize", "test_upsample", "test_instancenorm");

    private static final List<String> ELEMENTWISE = List.of("test_relu", "test_leakyrelu", "test_sigmoid", "test_tanh",
            "test_hardswish", "test_hardsigmoid", "test_clip");

    @Test
    void supportedOperatorCasesPass() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(ROOT), "install libonnx-testdata (scripts/fetch-data.sh does)");
        List<String> passed = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<Path> cases;
        try (Stream<Path> s = Files.list(ROOT)) {
            cases = s.filter(p -> FAMILIES.stream().anyMatch(f -> p.getFileName().toString().startsWith(f))).sorted().toList();
        }
        for (Path dir : cases) {
            String name = dir.getFileName().toString();
            try {
                String problem = run(dir);
                if (problem == null) passed.add(name);
                else wrong.add(name + ": " + problem);
            } catch (ImportException | CompileException | IllegalArgumentException | io.cnnc.runtime.io.FormatException e) {
                skipped.add(name + ": " + e.getMessage().lines().skip(e.getMessage().contains("\n") ? 1 : 0).findFirst().orElse("").strip());
            }
        }
        StringBuilder report = new StringBuilder("ONNX node test data: " + cases.size() + " cases, " + passed.size() + " pass, "
                + wrong.size() + " wrong, " + skipped.size() + " not importable\n");
        skipped.forEach(s -> report.append("  not importable: ").append(s).append('\n'));
        wrong.forEach(s -> report.append("  WRONG: ").append(s).append('\n'));
        Files.writeString(Path.of("target", "onnx-node-tests.txt"), report);
        System.out.print(report);
        assertThat(wrong).as(report.toString()).isEmpty();
        // Every case that passes today (Debian 12's libonnx-testdata 1.12): one that stops passing is a regression.
        assertThat(passed.size()).as(report.toString()).isGreaterThanOrEqualTo(61);
    }

    /** Null when every data set matches; else what differs. */
    private static String run(Path dir) throws Exception {
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        List<Path> sets;
        try (Stream<Path> s = Files.list(dir)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
        }
        for (Path set : sets) {
            List<ValueInfo> inputs = model.graph().inputs().stream()
                    .filter(i -> model.graph().initializers().stream().noneMatch(t -> t.name().equals(i.name()))).toList();
            List<TensorData> inits = new ArrayList<>(model.graph().initializers());
            for (int i = 1; i < inputs.size(); i++) {
                Path pb = set.resolve("input_" + i + ".pb");
                if (!Files.exists(pb)) continue; // an optional input left out
                TensorData t = OnnxReader.readTensor(pb);
                inits.add(new TensorData(inputs.get(i).name(), t.dims(), t.dataType(), t.floats(), t.longs()));
            }
            TensorData x = OnnxReader.readTensor(set.resolve("input_0.pb"));
            if (x.floats() == null) throw new IllegalArgumentException("integer input");
            long[] d = x.dims();
            if (ELEMENTWISE.stream().anyMatch(f -> dir.getFileName().toString().startsWith(f)) && d.length != 4) {
                // Elementwise ops do not care about rank: any shape is laid out as [N, C, H, W] with 1s.
                long[] four = {1, 1, 1, 1};
                if (d.length == 1) four[1] = d[0];
                else System.arraycopy(d, 0, four, 0, Math.min(4, d.length));
                if (d.length > 4) throw new IllegalArgumentException("input of rank " + d.length);
                d = four;
            }
            if (d.length != 4 && d.length != 2) throw new IllegalArgumentException("input of rank " + d.length);
            ValueInfo in = new ValueInfo(inputs.getFirst().name(), 1, d);
            Graph0 g = new Graph0(model, inits, in);
            OnnxImporter.Result result = OnnxImporter.translate(g.model(), "Case");
            Graph graph = Compiler.compile(new SourceFile(dir.getFileName() + ".cnn", result.source())).networks().getFirst();
            int[] shape = new int[4];
            shape[0] = (int) d[0];
            shape[1] = (int) d[1];
            shape[2] = d.length == 4 ? (int) d[2] : 1;
            shape[3] = d.length == 4 ? (int) d[3] : 1;
            Tensor y = new ReferenceExecutor(graph, result.weights()).run(List.of(Tensor.of(x.floats(), shape))).getFirst();
            float[] want = OnnxReader.readTensor(set.resolve("output_0.pb")).floats();
            if (want == null) throw new IllegalArgumentException("integer output");
            if (want.length != y.data().length) return "output has " + y.data().length + " values, expected " + want.length;
            for (int i = 0; i < want.length; i++) {
                if (Math.abs(y.data()[i] - want[i]) > 1e-5 + 1e-3 * Math.abs(want[i])) {
                    return set.getFileName() + "[" + i + "]: " + y.data()[i] + " vs " + want[i];
                }
            }
        }
        return null;
    }

    /** The case's model with the test's extra inputs as initializers and the input's concrete shape. */
    private record Graph0(Model base, List<TensorData> inits, ValueInfo input) {
        Model model() {
            OnnxModel.Graph g = base.graph();
            List<ValueInfo> inputs = new ArrayList<>();
            inputs.add(input);
            return new Model(base.irVersion(), base.producer(), base.opsets(),
                    new OnnxModel.Graph(g.name(), g.nodes(), inits, inputs, g.outputs()));
        }
    }
}
