package io.cnnc.compiler.target.gpu;

import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.target.Target;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.gpu.Dialect;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenCL or CUDA: the {@link GpuPlan} (buffers, launches, a strategy per convolution) for a batch
 * size; the runtime's executors run it on a device.
 */
public record GpuPlanTarget(Dialect dialect, int batch, Function<ConvGeometry, GpuConvChooser.Choice> chooser) implements Target<GpuPlan> {

    /** Convolutions by {@link GpuConvChooser}'s rules. */
    public GpuPlanTarget(Dialect dialect, int batch) {
        this(dialect, batch, GpuConvChooser::choose);
    }

    @Override
    public String name() {
        return dialect.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public GpuPlan compile(FrontHalf front, Map<String, float[]> weights) {
        return GpuPlanner.plan(front, weights, batch, chooser);
    }
}
