package io.cnnc.compiler.target.gpu;

import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.kernels.gpu.Launch;
import java.util.List;

/**
 * A network ready for a GPU, independent of the device API: the device buffers (weights with
 * their contents, BatchNorm already folded; activations sized for the batch, shared by liveness;
 * scratch), the kernel launches in order, which buffers take the inputs and hold the outputs,
 * and the strategy chosen for every convolution and why.
 */
public record GpuPlan(String network, int batch, List<Buffer> buffers, List<Step> steps, List<Integer> inputs, List<Output> outputs,
                      List<ConvChoice> convs, long unsharedActivationFloats) {

    public enum Role { INPUT, ACTIVATION, WEIGHT, WORKSPACE }

    /** {@code data} is the contents of a weight, null for the other roles. */
    public record Buffer(int id, String name, Role role, long floats, float[] data) {}

    /** One launch computing (part of) layer {@code layer}. */
    public record Step(String layer, String op, Launch launch) {}

    public record Output(int buffer, Shape shape) {}

    public record ConvChoice(String layer, String op, GpuConvStrategy strategy, String reason) {}

    public GpuPlan {
        buffers = List.copyOf(buffers);
        steps = List.copyOf(steps);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        convs = List.copyOf(convs);
    }

    public long floats(Role role) {
        return buffers.stream().filter(b -> b.role() == role).mapToLong(Buffer::floats).sum();
    }

    public long count(Role role) {
        return buffers.stream().filter(b -> b.role() == role).count();
    }
}
