package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Im2colConv;
import java.util.List;

/** Placeholder registry until the strategy library lands: im2col + GEMM only. */
public final class ConvStrategies {

    private ConvStrategies() {}

    private static final ConvStrategy IM2COL = new ConvStrategy() {
        public String name() {
            return "im2col-gemm";
        }

        public boolean supports(ConvGeometry g) {
            return true;
        }

        public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue e, io.cnnc.kernels.cpu.Parallel p) {
            return new ConvKernel() {
                public void forward(float[] x, float[] residual, float[] y, int batch) {
                    Im2colConv.forward(x, batch, g, weight, null, y);
                    int hw = g.outH() * g.outW();
                    for (int n = 0; n < batch; n++) {
                        for (int oc = 0; oc < g.outC(); oc++) e.apply(y, (n * g.outC() + oc) * hw, hw, oc, residual);
                    }
                }

                public String tiling() {
                    return "-";
                }
            };
        }
    };

    public static List<ConvStrategy> all() {
        return List.of(IM2COL, new WinogradF23Strategy(), new WinogradF43Strategy());
    }

    public static ConvStrategy byName(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no conv strategy '" + name + "'"));
    }

    public static List<ConvStrategy> candidates(ConvGeometry g) {
        return all().stream().filter(s -> s.supports(g)).toList();
    }
}
