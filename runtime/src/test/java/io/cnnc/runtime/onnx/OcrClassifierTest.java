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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real trained CNN nobody here wrote: PaddleOCR's text-direction classifier (MobileNetV3-style,
 * weights as Constant nodes, Paddle's hard-sigmoid and hard-swish written out as Add/Clip/Div/Mul),
 * put in .data/models by scripts/fetch-data.sh. Imported and run, it matches ONNX Runtime to 1e-4.
 */
class OcrClassifierTest {

    private static final Path MODEL = Path.of("..", ".data", "models", "ch_ppocr_mobile_v2.0_cls_infer.onnx");

    @Test
    void importedClassifierMatchesOnnxRuntime(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(MODEL), "run scripts/fetch-data.sh (ocr_cls)");
        Path cnn = tmp.resolve("cls.cnn");
        CliTestAccess.Result r = CliTestAccess.cnnc("import", MODEL.toString(), "-o", cnn.toString(), "--input-shape", "3,48,192");
        assertThat(r.code()).as(r.err()).isZero();
        Graph graph = Compiler.compile(SourceFile.read(cnn)).networks().getFirst();
        Path w = tmp.resolve("cls.safetensors");
        var params = WeightBinder.bind(graph, Safetensors.read(w), w);
        Random random = new Random(7);
        float[] data = new float[2 * 3 * 48 * 192];
        for (int i = 0; i < data.length; i++) data[i] = (float) (random.nextDouble() * 2 - 1);   // PaddleOCR normalises to [-1, 1]
        Tensor x = Tensor.of(data, 2, 3, 48, 192);
        float[] ours = new ReferenceExecutor(graph, params).run(List.of(x)).getFirst().data();
        float[] ort = OnnxRuntimeOracle.run(MODEL, x);
        assertThat(ours).hasSameSizeAs(ort);
        for (int i = 0; i < ort.length; i++) assertThat(ours[i]).as("[%d]", i).isCloseTo(ort[i], org.assertj.core.data.Offset.offset(1e-4f));
    }
}
