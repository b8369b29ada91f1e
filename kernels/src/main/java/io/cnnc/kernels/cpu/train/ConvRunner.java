package io.cnnc.kernels.cpu.train;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Activations;
import io.cnnc.kernels.cpu.Im2colConv;

/**
 * How a training step runs one conv layer's convolutions: the forward, and the backward's data
 * and weight gradients. The compiled engine runs the strategies its plan chose for the layer
 * ({@link TrainingConv}); the reference engine runs im2col and GEMM ({@link #IM2COL}). A layer
 * may compute the ReLU after it: in the forward's epilogue, and in the backward as a mask on dy.
 */
public interface ConvRunner {

    /** y = conv(x) + bias, then a ReLU where {@code relu}. */
    void forward(ConvGeometry g, float[] x, float[] weight, float[] bias, float[] y, int batch, boolean relu);

    /**
     * Writes dx (when non-null) and adds into dw and db (when non-null) from dy; where
     * {@code reluOutput} is non-null the layer computed that ReLU, and dy, the ReLU's output
     * gradient, is first masked where it is not positive. dy is the layer's own and may be
     * overwritten.
     */
    void backward(ConvGeometry g, float[] x, float[] dy, float[] weight, float[] dx, float[] dw, float[] db, int batch, float[] reluOutput);

    /** im2col and the blocked GEMM for all three convolutions; the ReLU as a pass of its own. */
    ConvRunner IM2COL = new ConvRunner() {
        @Override
        public void forward(ConvGeometry g, float[] x, float[] weight, float[] bias, float[] y, int batch, boolean relu) {
            Im2colConv.forward(x, batch, g, weight, bias, y);
            if (relu) Activations.forward(ActivationKind.RELU, 0, y, y);
        }

        @Override
        public void backward(ConvGeometry g, float[] x, float[] dy, float[] weight, float[] dx, float[] dw, float[] db, int batch,
                             float[] reluOutput) {
            float[] d = dy;
            if (reluOutput != null) {
                d = new float[dy.length];
                Activations.backward(ActivationKind.RELU, 0, reluOutput, dy, d);
            }
            Im2colConv.backward(x, d, batch, g, weight, dx, dw, db);
        }
    };
}
