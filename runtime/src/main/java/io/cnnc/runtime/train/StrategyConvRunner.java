package io.cnnc.runtime.train;

import io.cnnc.compiler.ops.ConvRunner;
import io.cnnc.compiler.train.TrainingConvStrategies.Directions;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Im2colConv;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.DataGradientConv;
import io.cnnc.kernels.cpu.conv.Epilogue;

/**
 * Runs one conv node's training convolutions on the strategies its plan chose: the forward, and
 * the data gradient as a convolution of dy with the flipped, transposed filter; the weight
 * gradient (and a strided conv's data gradient) on im2col and GEMM. Kernels are prepared at each
 * call, as the weights change every step.
 */
final class StrategyConvRunner implements ConvRunner {

    private final Directions directions;

    StrategyConvRunner(Directions directions) {
        this.directions = directions;
    }

    @Override
    public void forward(ConvGeometry g, float[] x, float[] weight, float[] bias, float[] y, int batch) {
        ConvStrategies.byName(directions.forward().strategy())
                .prepare(g, weight, Epilogue.of(bias, false, null, 0), Parallel.of(directions.forward().threads()))
                .forward(x, null, y, batch);
    }

    @Override
    public void backward(ConvGeometry g, float[] x, float[] dy, float[] weight, float[] dx, float[] dw, float[] db, int batch) {
        boolean asConvolution = dx != null && directions.data() != null;
        if (dw != null || db != null || dx != null && !asConvolution) {
            Im2colConv.backward(x, dy, batch, g, weight, asConvolution ? null : dx, dw, db);
        }
        if (asConvolution) {
            ConvStrategies.byName(directions.data().strategy())
                    .prepare(directions.dataGeometry(), DataGradientConv.filter(g, weight), Epilogue.none(), Parallel.of(directions.data().threads()))
                    .forward(dy, null, dx, batch);
        }
    }
}
