package io.cnnc.kernels.gpu;

/**
 * The buffers a convolution launch reads and writes; {@code bias} and {@code residual} may be
 * {@link Arg#NO_BUFFER}. {@code workspaceA}/{@code workspaceB} are scratch for strategies that
 * need it (Winograd's transformed input and products), sized by {@link GpuConvStrategy#workspace}.
 */
public record ConvBuffers(int x, int weight, int bias, int residual, int y, int workspaceA, int workspaceB) {

    public ConvBuffers(int x, int weight, int bias, int residual, int y) {
        this(x, weight, bias, residual, y, Arg.NO_BUFFER, Arg.NO_BUFFER);
    }
}
