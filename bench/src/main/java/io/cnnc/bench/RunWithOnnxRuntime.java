package io.cnnc.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Npy;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Runs an ONNX model in ONNX Runtime on one .npy input and writes its outputs as .npy, in the
 * model's order: how scripts/torchvision_onnx_table.py checks that cnnc's export of an imported
 * model runs elsewhere to the same outputs.
 *
 * <pre>java -cp ... io.cnnc.bench.RunWithOnnxRuntime model.onnx x.npy y1.npy [y2.npy ...]</pre>
 */
public final class RunWithOnnxRuntime {

    private RunWithOnnxRuntime() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: RunWithOnnxRuntime model.onnx x.npy y1.npy [y2.npy ...]");
            System.exit(2);
        }
        Tensor x = Npy.read(Path.of(args[1]));
        long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(args[0], new OrtSession.SessionOptions());
             OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), xt))) {
            for (int i = 2; i < args.length; i++) {
                OnnxTensor y = (OnnxTensor) result.get(i - 2);
                FloatBuffer b = y.getFloatBuffer();
                float[] values = new float[b.remaining()];
                b.get(values);
                Npy.write(Path.of(args[i]), Tensor.of(values, Arrays.stream(y.getInfo().getShape()).mapToInt(Math::toIntExact).toArray()));
            }
        }
    }
}
