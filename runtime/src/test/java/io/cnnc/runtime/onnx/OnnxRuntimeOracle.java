package io.cnnc.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.cnnc.runtime.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Runs an ONNX file with ONNX Runtime (Java), the outside oracle for imports and exports. */
final class OnnxRuntimeOracle {

    private OnnxRuntimeOracle() {}

    static float[] run(Path model, Tensor input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), options)) {
                String name = session.getInputNames().iterator().next();
                long[] shape = java.util.Arrays.stream(input.shape()).mapToLong(i -> i).toArray();
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), shape);
                     OrtSession.Result result = session.run(Map.of(name, x))) {
                    OnnxTensor y = (OnnxTensor) result.get(0);
                    FloatBuffer b = y.getFloatBuffer();
                    float[] out = new float[b.remaining()];
                    b.get(out);
                    return out;
                }
            }
        }
    }
}
