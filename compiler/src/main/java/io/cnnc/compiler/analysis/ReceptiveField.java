package io.cnnc.compiler.analysis;

import io.cnnc.compiler.ops.Window;

/**
 * Theoretical receptive field of a value along H and W, with the distance in input pixels
 * between neighbouring positions ({@code jump}). Merges (add, concat) take the larger.
 */
public record ReceptiveField(long h, long w, long jumpH, long jumpW) {

    public static final ReceptiveField PIXEL = new ReceptiveField(1, 1, 1, 1);

    public ReceptiveField through(Window win) {
        return new ReceptiveField(
                h + (long) (win.kernelH() - 1) * win.dilationH() * jumpH,
                w + (long) (win.kernelW() - 1) * win.dilationW() * jumpW,
                jumpH * win.strideH(), jumpW * win.strideW());
    }

    public ReceptiveField max(ReceptiveField o) {
        return new ReceptiveField(Math.max(h, o.h), Math.max(w, o.w), Math.max(jumpH, o.jumpH), Math.max(jumpW, o.jumpW));
    }

    @Override
    public String toString() {
        return h + "x" + w;
    }
}
