package io.cnnc.compiler.ir;

/** A per-sample tensor shape {@code [C, H, W]}; the batch dimension is implicit. */
public record Shape(int c, int h, int w) {

    public long size() {
        return (long) c * h * w;
    }

    public boolean isVector() {
        return h == 1 && w == 1;
    }

    public int[] withBatch(int batch) {
        return new int[] {batch, c, h, w};
    }

    @Override
    public String toString() {
        return "[" + c + ", " + h + ", " + w + "]";
    }
}
