package io.cnnc.kernels.cpu.conv;

/** Winograd F(2x2,3x3): 16 GEMMs per 2x2 output tile, 2.25x fewer multiplies than direct. */
public final class WinogradF23Strategy extends WinogradConv {

    public WinogradF23Strategy() {
        super("winograd-f23", WinogradTransform.F23);
    }
}
