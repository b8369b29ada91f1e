package io.cnnc.kernels.gpu;

import io.cnnc.kernels.ConvGeometry;
import java.util.ArrayList;
import java.util.List;

/**
 * The ways the GPU back ends compute a convolution, each a kernel (or kernels) of the library.
 * Every strategy takes the fused epilogue (bias, residual, activation). A strategy knows which
 * geometries it supports, what form of the weights its kernel reads, how much scratch it needs
 * and which launches compute the layer.
 */
public enum GpuConvStrategy {
    /** conv_direct: local-memory tiles of the input patch and the weights; any geometry. */
    DIRECT("direct"),
    /** conv_gemm: implicit im2col GEMM with 64 x 64 register-blocked tiles; any geometry. */
    GEMM("gemm"),
    /** winograd_input, gemm (16 products), winograd_output: 3x3, stride 1, no dilation, no groups. */
    WINOGRAD("winograd"),
    /** conv_depthwise: one input channel per output channel. */
    DEPTHWISE("depthwise");

    private final String label;

    GpuConvStrategy(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static GpuConvStrategy byLabel(String label) {
        for (GpuConvStrategy s : values()) if (s.label.equals(label)) return s;
        throw new IllegalArgumentException("no GPU conv strategy '" + label + "' (direct, gemm, winograd, depthwise)");
    }

    public boolean supports(ConvGeometry g) {
        return switch (this) {
            case DIRECT, GEMM -> true;
            case WINOGRAD -> g.groups() == 1 && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                    && g.dilationH() == 1 && g.dilationW() == 1;
            case DEPTHWISE -> g.groups() == g.inC();
        };
    }

    /** The weights in the form this strategy's kernel reads; {@code w} is PyTorch's layout. */
    public float[] deviceWeights(ConvGeometry g, float[] w) {
        return this == WINOGRAD ? WinogradWeights.transform(w, g.outC(), g.inC()) : w;
    }

    /** Floats of scratch in {@link ConvBuffers#workspaceA()} and {@code workspaceB()}: {0, 0} if none. */
    public long[] workspace(ConvGeometry g, int batch) {
        if (this != WINOGRAD) return new long[] {0, 0};
        long tiles = (long) batch * tiles(g.outH()) * tiles(g.outW());
        return new long[] {16 * g.inC() * tiles, 16 * g.outC() * tiles};
    }

    private static int tiles(int n) {
        return (n + 1) / 2;
    }

    /** The launches computing {@code act(conv(x) + bias + residual)} for a batch. */
    public List<Launch> launches(ConvGeometry g, int batch, ConvBuffers b, int act, float alpha) {
        if (!supports(g)) throw new IllegalArgumentException(label + " does not support " + g);
        List<Arg> geometry = List.of(Arg.of(g.inC()), Arg.of(g.inH()), Arg.of(g.inW()), Arg.of(g.outC()), Arg.of(g.outH()), Arg.of(g.outW()),
                Arg.of(g.kernelH()), Arg.of(g.kernelW()), Arg.of(g.strideH()), Arg.of(g.strideW()), Arg.of(g.padTop()), Arg.of(g.padLeft()),
                Arg.of(g.dilationH()), Arg.of(g.dilationW()));
        List<Arg> io = List.of(Arg.buffer(b.x()), Arg.buffer(b.weight()), Arg.buffer(b.bias()), Arg.buffer(b.residual()), Arg.buffer(b.y()));
        List<Arg> epilogue = List.of(Arg.flag(b.bias() != Arg.NO_BUFFER), Arg.flag(b.residual() != Arg.NO_BUFFER), Arg.of(act), Arg.of(alpha));
        return switch (this) {
            case DIRECT -> {
                int ocg = g.outC() / g.groups();
                long blocks = (ocg + 7) / 8;
                yield List.of(new Launch("conv_direct",
                        new long[] {Launch.roundUp(g.outW(), 8), Launch.roundUp(g.outH(), 8), batch * g.groups() * blocks},
                        new long[] {8, 8, 1}, join(io, geometry, List.of(Arg.of(g.groups())), epilogue)));
            }
            case GEMM -> {
                long n = (long) batch * g.outH() * g.outW();
                int ocg = g.outC() / g.groups();
                yield List.of(new Launch("conv_gemm", new long[] {(n + 63) / 64 * 16, (ocg + 63) / 64 * 16, g.groups()},
                        new long[] {16, 16, 1}, join(io, List.of(Arg.of(batch)), geometry, List.of(Arg.of(g.groups())), epilogue)));
            }
            case DEPTHWISE -> List.of(new Launch("conv_depthwise",
                    new long[] {Launch.roundUp(g.outW(), 16), Launch.roundUp(g.outH(), 16), (long) batch * g.outC()},
                    new long[] {16, 16, 1}, join(io, geometry, epilogue)));
            case WINOGRAD -> winograd(g, batch, b, act, alpha);
        };
    }

    private static List<Launch> winograd(ConvGeometry g, int batch, ConvBuffers b, int act, float alpha) {
        int th = tiles(g.outH());
        int tw = tiles(g.outW());
        int p = batch * th * tw;
        int c = g.inC();
        int k = g.outC();
        Launch input = new Launch("winograd_input", new long[] {Launch.roundUp(p, 64), c, 1}, new long[] {64, 1, 1},
                List.of(Arg.buffer(b.x()), Arg.buffer(b.workspaceA()), Arg.of(c), Arg.of(g.inH()), Arg.of(g.inW()),
                        Arg.of(g.padTop()), Arg.of(g.padLeft()), Arg.of(th), Arg.of(tw), Arg.of(p)));
        Launch products = Gemm.of(k, p, c, 16)
                .a(b.weight(), 0, c, 1, k * c)
                .b(b.workspaceA(), 0, p, 1, c * p)
                .c(b.workspaceB(), 0, p, 1, k * p)
                .launch();
        Launch output = new Launch("winograd_output", new long[] {Launch.roundUp(p, 64), k, 1}, new long[] {64, 1, 1},
                List.of(Arg.buffer(b.workspaceB()), Arg.buffer(b.bias()), Arg.buffer(b.residual()), Arg.buffer(b.y()), Arg.of(k),
                        Arg.of(g.outH()), Arg.of(g.outW()), Arg.of(th), Arg.of(tw), Arg.of(p),
                        Arg.flag(b.bias() != Arg.NO_BUFFER), Arg.flag(b.residual() != Arg.NO_BUFFER), Arg.of(act), Arg.of(alpha)));
        return List.of(input, products, output);
    }

    @SafeVarargs
    private static List<Arg> join(List<Arg>... parts) {
        List<Arg> out = new ArrayList<>();
        for (List<Arg> p : parts) out.addAll(p);
        return out;
    }
}
