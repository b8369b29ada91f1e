package io.cnnc.kernels.cpu.conv;

/**
 * Winograd F(4x4,3x3): 36 GEMMs per 4x4 output tile, 4x fewer multiplies than direct, at the
 * price of larger rounding error (see docs/kernels.md, "Winograd error").
 */
public final class WinogradF43Strategy extends WinogradConv {

    public WinogradF43Strategy() {
        super("winograd-f43", WinogradTransform.F43);
    }
}
