package io.cnnc.kernels.cpu.train;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Im2colConv;

/**
 * How a training step runs one conv layer's convolutions: the forward, and the backward's data
 * and weight gradients. The compiled engine runs the strategies its plan chose for the layer
 * ({@link TrainingConv}); the reference engine runs im2col and GEMM ({@link #IM2COL}).
 */
public interface ConvRunner {

    void forward(ConvGeometry g, float[] x, float[] weight, float[] bias, float[] y, int batch);

    /** Writes dx (when non-null) and adds into dw and db (when non-null) from dy. */
    void backward(ConvGeometry g, float[] x, float[] dy, float[] weight, float[] dx, float[] dw, float[] db, int batch);

    /** im2col and the blocked GEMM for all three convolutions. */
    ConvRunner IM2COL = new ConvRunner() {
        @Override
        public void forward(ConvGeometry g, float[] x, float[] weight, float[] bias, float[] y, int batch) {
            Im2colConv.forward(x, batch, g, weight, bias, y);
        }

        @Override
        public void backward(ConvGeometry g, float[] x, float[] dy, float[] weight, float[] dx, float[] dw, float[] db, int batch) {
            Im2colConv.backward(x, dy, batch, g, weight, dx, dw, db);
        }
    };
}
